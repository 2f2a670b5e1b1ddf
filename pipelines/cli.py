"""`lifecycle`: the command line of the pipeline (simulate, import-csv, run, close-month, status, report,
docs, demo)."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from datetime import date
from typing import TYPE_CHECKING

from pipelines.defs.dbt.args import DEFAULT_TARGET, TARGETS
from pipelines.errors import LifecycleError
from pipelines.settings import warehouse_paths

if TYPE_CHECKING:
    from pipelines.finance.closing import MonthClose
    from pipelines.runner import RunOutcome


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_simulate(args: argparse.Namespace) -> int:
    from pipelines.simulator import simulate

    paths = warehouse_paths(args.warehouse).ensure()
    began = time.perf_counter()
    result = simulate(
        paths.landing,
        accounts=args.accounts,
        start=args.start,
        end=args.end,
        seed=args.seed,
        fmt=args.format,
        faults=args.faults,
        chunk_accounts=args.chunk_accounts,
    )
    took = time.perf_counter() - began
    print(
        f"wrote {result.total_events:,} events in {result.files_written:,} files to {paths.landing} "
        f"({took:.1f}s, {result.total_events / max(took, 1e-9):,.0f} events/s)"
    )
    for name, count in result.events_written.items():
        print(f"  {name:<8} {count:>12,}")
    if result.faults_planted:
        print("planted faults: " + ", ".join(f"{k}={v}" for k, v in sorted(result.faults_planted.items())))
    print(f"ground truth: {result.sidecar}")
    return 0


def _cmd_import_csv(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipelines.raw.import_csv import ImportRejected, import_csv, parse_mapping

    if args.stream != "sales":
        raise ValueError("import-csv turns one-row-per-sale exports into sales events: use --stream sales")
    paths = warehouse_paths(args.warehouse).ensure()
    try:
        result = import_csv(
            Path(args.file),
            paths.landing,
            parse_mapping(args.map),
            args.arrival_date,
            default_currency=args.currency,
            date_format=args.date_format,
            delimiter=args.delimiter,
            source_id=args.source_id,
            strict=args.strict,
        )
    except ImportRejected as exc:
        print(f"lifecycle import-csv: {exc}", file=sys.stderr)
        return 1
    print(f"imported {result.rows:,} sale(s) as {result.events:,} events into {result.path}")
    if result.problems:
        print(
            f"  {len(result.problems)} problem(s): those rows were written as they were, and `lifecycle run` "
            "quarantines them (raw.quarantine, the export's row in import_row); --strict refuses the file",
            file=sys.stderr,
        )
        for problem in result.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
    return 0


def _cmd_close_month(args: argparse.Namespace) -> int:
    from pipelines.finance.closing import CloseRefused, close_month, list_closes, parse_month
    from pipelines.raw.db import connect_writer, writer_lock

    if args.list == (args.month is not None):
        raise ValueError("give a month (YYYY-MM) to close, or --list")
    paths = warehouse_paths(args.warehouse)
    if not paths.database.exists():
        raise FileNotFoundError(f"no warehouse database at {paths.database}: run `lifecycle run` first")
    if args.list:
        import duckdb

        with duckdb.connect(str(paths.database), read_only=True) as con:
            closes = list_closes(con)
        _print_closes(closes)
        return 0
    month = parse_month(args.month)
    with writer_lock(paths.root, f"close-month {month:%Y-%m}"):
        con = connect_writer(paths.database)
        try:
            closed = close_month(con, month, reopen=args.reopen)
        except CloseRefused as exc:
            print(f"lifecycle close-month: refused: {exc}", file=sys.stderr)
            return 1
        finally:
            con.close()
    print(
        f"closed {closed.month:%Y-%m} (version {closed.version}): {closed.figures} figures published "
        f"at {closed.closed_at:%Y-%m-%d %H:%M:%S} UTC, arrival days up to {closed.arrival_cutoff}"
    )
    print("  later arrivals restate the current marts; `marts.restatements` lists each difference")
    return 0


def _print_closes(closes: list[MonthClose]) -> None:
    if not closes:
        print("no month is closed")
        return
    newest = {c.month: c.version for c in closes}
    print(
        f"  {'month':<9}{'version':>8}  {'closed at (UTC)':<20}{'arrivals to':<13}"
        f"{'figures':>8}{'restated':>10}  by"
    )
    for c in closes:
        if newest[c.month] != c.version:
            restated = "superseded"
        else:
            restated = "?" if c.restated_figures is None else str(c.restated_figures)
        print(
            f"  {c.month:%Y-%m}  {c.version:>8}  {c.closed_at:%Y-%m-%d %H:%M:%S} {c.arrival_cutoff!s:<13}"
            f"{c.figures:>8}{restated:>10}  {c.closed_by}"
        )


def _span(days: list[date]) -> str:
    return f"{len(days):>5,} ({days[0]} .. {days[-1]})" if days else "    0"


def _cmd_status(args: argparse.Namespace) -> int:
    from pipelines.status import warehouse_status

    paths = warehouse_paths(args.warehouse)
    status = warehouse_status(paths)
    print(f"warehouse {paths.root}")
    print(f"  {'stream':<10}{'landed days':<34}{'loaded days':<34}not loaded")
    for name, days in status.streams.items():
        print(f"  {name:<10}{_span(days.landed):<34}{_span(days.loaded):<34}{len(days.not_loaded):,}")
    print(f"  last load: {status.last_load or 'never'}")
    if status.rows:
        print("  rows:")
        for table, count in status.rows.items():
            print(f"    {table:<40}{count:>12,}")
    if status.quarantine:
        print("  quarantined rows by reason:")
        for stream, reason, count in status.quarantine:
            print(f"    {stream:<10}{count:>8,}  {reason}")
    if status.published:
        stamp = status.published
        print(
            f"  published: {stamp.get('published_at')} (as of {stamp.get('as_of')}): serving.duckdb, exports/"
        )
    else:
        print("  published: not yet (a successful `lifecycle run` publishes the marts)")
    closed = ", ".join(f"{m:%Y-%m}" + (f" (v{v})" if v > 1 else "") for m, v in status.closed_months)
    print(f"  closed months: {closed or 'none'}")
    return 0


def _print_outcome(outcome: RunOutcome) -> None:
    print(f"\nrun {outcome.run_id}: arrival days {outcome.first_day} .. {outcome.last_day}")
    print("  settings: " + ", ".join(f"{k}={v}" for k, v in outcome.settings.items()))
    if outcome.ingested:
        print(
            f"  {'stream':<16}{'read':>12}{'accepted':>12}{'duplicate':>12}"
            f"{'quarantined':>12}{'unreadable':>11}"
        )
        for name, meta in sorted(outcome.ingested.items()):
            print(
                f"  {name:<16}{meta.get('rows_read', 0):>12,}{meta.get('rows_accepted', 0):>12,}"
                f"{meta.get('rows_duplicate', 0):>12,}{meta.get('rows_quarantined', 0):>12,}"
                f"{meta.get('unreadable_files', 0):>11,}"
            )
    for label in outcome.warned_checks:
        print(f"  WARN   check {label}")
    for label in outcome.failed_checks:
        print(f"  FAILED check {label}")
    for step in outcome.failed_steps:
        print(f"  FAILED step {step}")
    for message in outcome.failure_messages:
        print("    " + "\n    ".join(line for line in _readable(message).splitlines() if line.strip()))
    ok = outcome.success and not outcome.failed_checks
    print("  result: " + ("ok" if ok else "problems found (see above)"))
    for label, path in outcome.published.items():
        print(f"  {label.replace('_', ' ')}: {path}")
    if outcome.log_file:
        print(f"  dbt and step output: {outcome.log_file}")
    if not ok:
        places = ["the messages above"]
        if outcome.log_file:
            places.append(f"the run's output in {outcome.log_file}")
        if outcome.failed_checks:
            places.append("the failing rows of each check in schema dbt_test__audit")
        if any(meta.get("rows_quarantined") for meta in outcome.ingested.values()):
            places.append("raw.quarantine (reason, file, row and payload of every rejected row)")
        print("  where to look next: " + "; ".join(places))


# dagster-dbt points at compute logs, which a run from the command line does not keep
_COMPUTE_LOGS_HINT = (
    "Check the stdout in the Dagster compute logs for the full information about the error, or view"
)


def _readable(message: str) -> str:
    return message.replace(_COMPUTE_LOGS_HINT, "View")


def _cmd_run(args: argparse.Namespace) -> int:
    from pipelines.contract.window import earliest_business_date
    from pipelines.engine import engine_settings
    from pipelines.lifecycle_settings import parse_assignments, settings_from
    from pipelines.runner import run_lifecycle

    settings = settings_from(parse_assignments(args.var))  # a bad setting fails before any work
    paths = warehouse_paths(args.warehouse)
    engine_settings(paths.root)  # and so does a bad memory limit, thread count or spill directory
    earliest_business_date()  # or earliest business date
    outcome = run_lifecycle(
        paths,
        args.start,
        args.end,
        settings,
        log_level="WARNING" if args.quiet else "INFO",
        record=args.record,
        quiet=args.quiet,
        progress=not args.quiet,
        full_refresh=args.full_refresh,
        allow_empty_publish=args.allow_empty_publish,
        target=args.target,
    )
    _print_outcome(outcome)
    return 0 if outcome.success and not outcome.failed_checks else 1


def _cmd_reconcile(args: argparse.Namespace) -> int:
    from pipelines.reconcile import reconcile

    outcome = reconcile(warehouse_paths(args.warehouse))
    if outcome.equal:
        print(f"equal: {len(outcome.tables)} tables match a full rebuild row for row")
        return 0
    for line in outcome.described():
        print(f"DIFFERS {line}")
    print("repair with `lifecycle run --full-refresh`")
    return 1


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipelines.serving.publish import SERVING_FILE
    from pipelines.serving.report import REPORT_FILE, build_report

    paths = warehouse_paths(args.warehouse)
    serving_file = paths.root / SERVING_FILE
    if not serving_file.exists():
        raise FileNotFoundError(f"nothing published yet ({serving_file}): run `lifecycle run` first")
    report = build_report(serving_file, Path(args.output) if args.output else paths.reports / REPORT_FILE)
    print(f"wrote {report.path} ({len(report.charts)} charts, {report.at_risk_rows} at-risk accounts listed)")
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from pipelines.serving.docs import generate_docs, serve_docs

    page = generate_docs(warehouse_paths(args.warehouse))
    print(f"wrote the dbt docs to {page} (opens offline)")
    if args.serve:
        serve_docs(page.parent, args.port)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.runner import landed_range, run_lifecycle
    from pipelines.simulator import simulate

    paths = warehouse_paths(args.warehouse).ensure()
    if landed_range(paths) is None:
        print(f"simulating {args.accounts:,} accounts, 2023-01-01 .. 2025-12-31, into {paths.landing}")
        result = simulate(
            paths.landing, accounts=args.accounts, start=date(2023, 1, 1), end=date(2025, 12, 31)
        )
        print(f"  wrote {result.total_events:,} events in {result.files_written:,} files")
    else:
        print(f"using the landing data already in {paths.landing}")
    # kept in the instance, for `make dev`; dbt's output goes to a file, a line per step to the terminal
    outcome = run_lifecycle(paths, log_level="WARNING", quiet=True, progress=True)
    _print_outcome(outcome)
    if outcome.success:
        from pipelines.summary import summary_lines

        print("\n" + "\n".join(f"  {line}" for line in summary_lines(paths)))
        print("  `make dev` opens the Dagster UI")
    return 0 if outcome.success and not outcome.failed_checks else 1


WAREHOUSE_HELP = "warehouse directory (default: $LIFECYCLE_WAREHOUSE or ./warehouse)"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("customer-lifecycle")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lifecycle", description=__doc__)
    parser.add_argument("--warehouse", help=WAREHOUSE_HELP)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    # every subcommand takes --warehouse too (`lifecycle run --warehouse DIR`); SUPPRESS keeps a value
    # given before the subcommand when none is given after it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", default=argparse.SUPPRESS, help=WAREHOUSE_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser(
        "simulate", parents=[common], help="write realistic simulated event streams as landing folders"
    )
    sim.add_argument("--accounts", type=int, required=True, help="number of customer companies")
    sim.add_argument("--start", type=_date, required=True, help="first event day (YYYY-MM-DD)")
    sim.add_argument("--end", type=_date, required=True, help="last event day (YYYY-MM-DD)")
    sim.add_argument("--seed", type=int, default=42, help="random seed: the same seed writes the same events")
    sim.add_argument(
        "--format", choices=("parquet", "jsonl", "csv"), default="parquet", help="landing file format"
    )
    sim.add_argument("--faults", action="store_true", help="plant the documented faults (docs/events.md)")
    sim.add_argument("--chunk-accounts", type=int, default=100_000, help="accounts per chunk (bounds memory)")
    sim.set_defaults(handler=_cmd_simulate)

    run = sub.add_parser(
        "run", parents=[common], help="ingest arrival days and rebuild everything downstream, in one run"
    )
    run.add_argument("--start", type=_date, help="first arrival day (default: the first landed day)")
    run.add_argument("--end", type=_date, help="last arrival day (default: the last landed day)")
    run.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a lifecycle rule (dbt var), e.g. --var lost_after_days=180; repeatable",
    )
    run.add_argument("--quiet", action="store_true", help="only warnings and the summary")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every dbt model from scratch; by default a run recomputes only the accounts that "
        "the loads since the last build touched (the result is the same)",
    )
    run.add_argument(
        "--allow-empty-publish",
        action="store_true",
        help="publish a build without accounts even when the published marts have some (by default such a "
        "build, e.g. from an as-of date before every event, is refused and readers keep the last one)",
    )
    run.add_argument(
        "--target",
        choices=TARGETS,
        default=DEFAULT_TARGET,
        help="the engine that builds the dbt models: duckdb (default), or spark, a local Apache Spark "
        "session with Iceberg tables whose marts go to <warehouse>/spark/exports (docs/spark.md; needs the "
        "spark extra)",
    )
    run.add_argument(
        "--no-record",
        dest="record",
        action="store_false",
        help="do not keep the run in the Dagster instance (<warehouse>/dagster or $DAGSTER_HOME) that the UI "
        "shows; by default every run is kept",
    )
    run.set_defaults(handler=_cmd_run)

    imp = sub.add_parser(
        "import-csv", parents=[common], help="turn a one-row-per-sale export into contract landing files"
    )
    imp.add_argument("file", help="the CSV export (UTF-8, header row)")
    imp.add_argument("--stream", default="sales", help="target stream (sales)")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="SRC=DST",
        required=True,
        help="source column -> contract field (account_id, occurred_at, amount, currency, "
        "order_id, invoice_id, discount_amount, payment_terms_days, rep_id); repeatable",
    )
    imp.add_argument("--currency", help="currency for rows without one (ISO 4217)")
    imp.add_argument(
        "--date-format", help="strptime format of the date column, e.g. %%d.%%m.%%Y (default ISO-8601)"
    )
    imp.add_argument("--delimiter", default=",", help="field delimiter (default ,)")
    imp.add_argument(
        "--arrival-date",
        type=_date,
        default=date.today(),
        help="landing folder (arrival day) to write to (default today)",
    )
    imp.add_argument(
        "--source-id",
        help="stable name for event ids: lower-case letters, digits, - and _ (default: the file name)",
    )
    imp.add_argument("--strict", action="store_true", help="refuse the whole file if any row has a problem")
    imp.set_defaults(handler=_cmd_import_csv)

    close = sub.add_parser(
        "close-month",
        parents=[common],
        help="publish a month's finance figures as known now (append-only); "
        "later arrivals show as restatements",
    )
    close.add_argument("month", nargs="?", help="the month to close, YYYY-MM")
    close.add_argument(
        "--reopen", action="store_true", help="close an already closed month again, as a new version"
    )
    close.add_argument(
        "--list", action="store_true", help="show the closed months and what is restated since"
    )
    close.set_defaults(handler=_cmd_close_month)

    status = sub.add_parser(
        "status",
        parents=[common],
        help="landed and loaded days, row counts, quarantine by reason, last load, closed months",
    )
    status.set_defaults(handler=_cmd_status)

    reconcile = sub.add_parser(
        "reconcile",
        parents=[common],
        help="rebuild every model from scratch beside the live tables and compare them row for row "
        "(exit 1 when an incremental table differs)",
    )
    reconcile.set_defaults(handler=_cmd_reconcile)

    report = sub.add_parser(
        "report",
        parents=[common],
        help="write the offline HTML report from the last published build "
        "(every successful run writes it too)",
    )
    report.add_argument(
        "--output", help="where to write it (default: <warehouse>/reports/lifecycle_report.html)"
    )
    report.set_defaults(handler=_cmd_report)

    docs = sub.add_parser(
        "docs",
        parents=[common],
        help="write dbt's documentation (lineage, models, columns, tests, exposures, catalog) as one "
        "static page under <warehouse>/docs; --serve serves it locally",
    )
    docs.add_argument("--serve", action="store_true", help="serve the page on 127.0.0.1 until Ctrl-C")
    docs.add_argument("--port", type=int, default=8080, help="port for --serve (default 8080)")
    docs.set_defaults(handler=_cmd_docs)

    demo = sub.add_parser(
        "demo", parents=[common], help="simulate a small data set if none has landed, then run everything"
    )
    demo.add_argument("--accounts", type=int, default=3000, help="accounts to simulate (default 3000)")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Dagster flags single-run backfill policies as beta on every import; users cannot act on it.
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print(f"lifecycle {args.command}: interrupted", file=sys.stderr)
        return 130
    except (LifecycleError, ValueError, FileNotFoundError) as exc:
        print(f"lifecycle {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
