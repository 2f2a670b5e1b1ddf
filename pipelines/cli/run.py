"""`lifecycle run` and `lifecycle demo`: a run of the job, and what it says when it ends."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from pipelines.cli.common import parse_date
from pipelines.config.paths import warehouse_paths
from pipelines.dbt.args import DEFAULT_TARGET, TARGETS

if TYPE_CHECKING:
    from pipelines.runner import RunOutcome


def _print_outcome(outcome: RunOutcome) -> None:
    if outcome.nothing_changed:
        print(f"\nrun {outcome.run_id}: no landed arrival day changed since its last load, none ingested")
    elif outcome.first_day is None:
        print(f"\nrun {outcome.run_id}: rebuilt from the raw layer, nothing ingested")
    else:
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
    from pipelines.config.engine import engine_settings
    from pipelines.config.lifecycle import parse_assignments, settings_from
    from pipelines.contract.window import earliest_business_date
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
        full_refresh=args.full_refresh or args.rebuild,
        allow_empty_publish=args.allow_empty_publish,
        target=args.target,
        ingest=not args.rebuild,
    )
    _print_outcome(outcome)
    return 0 if outcome.success and not outcome.failed_checks else 1


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
        from pipelines.serving.summary import summary_lines

        print("\n" + "\n".join(f"  {line}" for line in summary_lines(paths)))
        print("  `make dev` opens the Dagster UI")
    return 0 if outcome.success and not outcome.failed_checks else 1


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    run = sub.add_parser(
        "run", parents=[common], help="ingest arrival days and rebuild everything downstream, in one run"
    )
    run.add_argument(
        "--start",
        type=parse_date,
        help="first arrival day to load, changed or not (without --start and --end: the landed days "
        "whose files changed since their last load)",
    )
    run.add_argument("--end", type=parse_date, help="last arrival day to load (default: the last landed day)")
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
        "--rebuild",
        action="store_true",
        help="rebuild every dbt model from scratch from the raw layer as it is, without ingesting any "
        "landed day (after a change of rules or code; --full-refresh also loads the landed days again)",
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
    demo = sub.add_parser(
        "demo", parents=[common], help="simulate a small data set if none has landed, then run everything"
    )
    demo.add_argument("--accounts", type=int, default=3000, help="accounts to simulate (default 3000)")
    demo.set_defaults(handler=_cmd_demo)
