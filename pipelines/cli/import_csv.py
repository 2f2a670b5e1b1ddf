"""`lifecycle import-csv`: a sales, ticket (service) or activity (contact) export turned into contract landing
files."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from pipelines.cli.common import parse_date
from pipelines.config.paths import warehouse_paths
from pipelines.errors import ConfigError


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """import_csv's options: the preset's, overridden flag by flag by the command line."""
    from pipelines.imports.csv_export import ExportFormat, StatusRule, parse_mapping, parse_status_map
    from pipelines.imports.mapping import TARGETS, parse_value_map
    from pipelines.imports.presets import preset

    chosen = preset(args.preset) if args.preset else None
    stream = args.stream or (chosen.stream if chosen else "sales")
    if chosen and chosen.stream != stream:
        raise ConfigError(f"preset {chosen.name} reads {chosen.stream} exports, not {stream}")
    given = parse_mapping(args.map, require=chosen is None, stream=stream)
    mapping = {**(chosen.mapping if chosen else {}), **given}
    fmt = ExportFormat(
        delimiter=args.delimiter or (chosen.delimiter if chosen else ","),
        encoding=args.encoding or "utf-8",
        decimal_comma=args.decimal_comma or bool(chosen and chosen.decimal_comma),
        date_format=args.date_format or (chosen.date_format if chosen else None),
        negative=args.negative,
        sheet=args.sheet,
    )
    column = args.status_column or (chosen.status_column if chosen else None)
    effects = {**(chosen.status_map if chosen else {}), **parse_status_map(args.status_map)}
    if args.status_map and not column:
        raise ConfigError("--status-map needs --status-column (the column whose values it maps)")
    values = {name: dict(v) for name, v in (chosen.value_map if chosen else {}).items()}
    for name, v in parse_value_map(args.value_map).items():
        values.setdefault(name, {}).update(v)
    # a preset's optional columns may be missing from a user's export; the user's own --map may not
    optional = frozenset(chosen.mapping) - set(TARGETS[stream][0]) - set(given) if chosen else frozenset()
    return {
        "mapping": mapping,
        "fmt": fmt,
        "status": StatusRule(column, effects, stream) if column else None,
        "stream": stream,
        "values": values,
        "event_type": args.event_type or (chosen.event_type if chosen else None),
        "optional": optional,
    }


def _cmd_import_csv(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipelines.imports.csv_export import ImportRejected, grouped, import_csv
    from pipelines.imports.presets import describe, preset

    if args.show_preset:
        print(describe(preset(args.show_preset)))
        return 0
    if not args.file:
        raise ConfigError("import-csv needs the export's FILE (or --show-preset NAME)")
    options = _options(args)
    paths = warehouse_paths(args.warehouse).ensure()
    try:
        result = import_csv(
            Path(args.file),
            paths.landing,
            arrival=args.arrival_date,
            default_currency=args.currency,
            system=args.system,
            strict=args.strict,
            dry_run=args.dry_run,
            **options,
        )
    except ImportRejected as exc:
        print(f"lifecycle import-csv: {exc}", file=sys.stderr)
        return 1
    skipped = result.effects["skip"]
    verb = "would import" if not result.written else "imported"
    where = (
        f"(dry run: nothing written; it would go to {result.path})"
        if not result.written
        else f"into {result.path}"
    )
    if options["stream"] == "sales":
        sales = result.rows - result.credits - result.bad_rows - skipped
        what = f"{sales:,} sale(s), {result.credits:,} credit note(s) (negative amounts)"
    else:
        what = ", ".join(f"{n:,} {event_type}" for event_type, n in sorted(result.types.items()))
    print(
        f"{verb} {result.rows:,} row(s) as {result.events:,} events {where}: {what or 'no event'}, "
        f"{result.bad_rows:,} row(s) with problems" + (f", {skipped:,} skipped by status" if skipped else "")
    )
    status = options["status"]
    if status is not None:
        counts = ", ".join(f"{effect} {n:,}" for effect, n in sorted(result.effects.items()))
        print(f"  rows by status effect ({status.column}): {counts}")
    for name, column in sorted(result.unmapped.items()):
        print(f"  {name}: the preset's column {column!r} is not in this export; left empty")
    for event in result.preview:
        shown = {k: v for k, v in event.items() if v is not None}
        print(f"  {shown}")
    if result.found:
        print(
            f"  {result.bad_rows:,} row(s) with problems were written as they were, and `lifecycle run` "
            "quarantines them (raw.quarantine, the export's row in import_row); a row whose status the "
            "map does not name is not written; --strict refuses the file:",
            file=sys.stderr,
        )
        for column, reason, count, first in grouped(result.found):
            example = f": {first.value!r}" if first.value is not None else ""
            print(
                f"  {count:>7,} x column {column!r}: {reason}; first in row {first.row}{example}",
                file=sys.stderr,
            )
    return 0


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    imp = sub.add_parser(
        "import-csv",
        parents=[common],
        help="turn a sales, ticket or activity export into contract landing files",
    )
    imp.add_argument(
        "file", nargs="?", help="the export: CSV (header row; UTF-8 unless --encoding) or .xlsx (first sheet)"
    )
    imp.add_argument("--sheet", help="the .xlsx workbook's sheet to read (default: the first)")
    imp.add_argument(
        "--stream",
        choices=("sales", "service", "contact"),
        help="what the export holds: sales (default), service (help-desk tickets) or contact (CRM "
        "activities)",
    )
    imp.add_argument(
        "--preset",
        help="a well-known export's mapping and options (shopify-orders, stripe-invoices, zendesk-tickets, "
        "hubspot-activities); any flag given overrides it",
    )
    imp.add_argument("--show-preset", metavar="NAME", help="print a preset as the flags it stands for")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="SRC=DST",
        help="source column -> contract field; sales: account_id, occurred_at, amount, currency, order_id, "
        "invoice_id, discount_amount, payment_terms_days, rep_id; service: account_id, occurred_at (opened), "
        "ticket_id, resolved_at, reopened_at, rated_at, csat_score, category, severity, agent_id; contact: "
        "account_id, occurred_at, activity_id, contact_person_id, rep_id, direction; repeatable",
    )
    imp.add_argument("--currency", help="currency for rows without one (ISO 4217)")
    imp.add_argument(
        "--date-format", help="strptime format of the date column, e.g. %%d.%%m.%%Y (default ISO-8601)"
    )
    imp.add_argument("--delimiter", help="field delimiter (default ,)")
    imp.add_argument("--encoding", help="the file's encoding, e.g. cp1252 (default UTF-8)")
    imp.add_argument(
        "--decimal-comma",
        action="store_true",
        help="amounts like 1.067,42 (decimal comma; . ' or space between thousands); default 1,067.42",
    )
    imp.add_argument(
        "--negative",
        choices=("credit", "reject"),
        default="credit",
        help="a negative amount: a credit note against the row's order (default), or a bad value",
    )
    imp.add_argument(
        "--status-column",
        help="the column saying what a row is: a sale's status (paid, refunded, ...), a ticket's status "
        "change, an activity's type",
    )
    imp.add_argument(
        "--status-map",
        action="append",
        default=[],
        metavar="VALUE=EFFECT",
        help="what a status value means; sales: paid, pending, cancelled, refunded; service: opened, "
        "resolved, reopened, rated; contact: call, email, meeting, visit, lead_created; any: skip; "
        "repeatable",
    )
    imp.add_argument(
        "--event-type",
        help="contact: the type of every row (call, email, meeting, visit, lead_created), for an export "
        "without a type column",
    )
    imp.add_argument(
        "--value-map",
        action="append",
        default=[],
        metavar="FIELD:VALUE=TARGET",
        help="translate an exported value of category, severity, direction or csat_score, e.g. "
        "category:problem=complaint, csat_score:good=5 (an empty TARGET: no value); repeatable",
    )
    imp.add_argument(
        "--arrival-date",
        type=parse_date,
        default=date.today(),
        help="landing folder (arrival day) to write to (default today)",
    )
    imp.add_argument(
        "--system",
        "--source-id",
        dest="system",
        help="the system the export comes from, when several systems' order numbers could meet: event ids "
        "start with it (lower-case letters, digits, - and _; default none: ids are the business keys)",
    )
    imp.add_argument("--strict", action="store_true", help="refuse the whole file if any row has a problem")
    imp.add_argument(
        "--dry-run", action="store_true", help="show the first events and the problems; write nothing"
    )
    imp.set_defaults(handler=_cmd_import_csv)
