"""`lifecycle import-csv`: a one-row-per-sale export turned into contract landing files."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from pipelines.cli.common import parse_date
from pipelines.config.paths import warehouse_paths
from pipelines.errors import ConfigError


def _options(args: argparse.Namespace) -> tuple[dict[str, str], Any, Any]:
    """(mapping, export format, status rule): the preset's, overridden flag by flag by the command line."""
    from pipelines.imports.csv_export import ExportFormat, StatusRule, parse_mapping, parse_status_map
    from pipelines.imports.presets import preset

    chosen = preset(args.preset) if args.preset else None
    given = parse_mapping(args.map, require=chosen is None)
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
    return mapping, fmt, StatusRule(column, effects) if column else None


def _cmd_import_csv(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipelines.imports.csv_export import ImportRejected, grouped, import_csv
    from pipelines.imports.presets import describe, preset

    if args.show_preset:
        print(describe(preset(args.show_preset)))
        return 0
    if not args.file:
        raise ConfigError("import-csv needs the export's FILE (or --show-preset NAME)")
    if args.stream != "sales":
        raise ConfigError("import-csv turns one-row-per-sale exports into sales events: use --stream sales")
    mapping, fmt, status = _options(args)
    paths = warehouse_paths(args.warehouse).ensure()
    try:
        result = import_csv(
            Path(args.file),
            paths.landing,
            mapping,
            args.arrival_date,
            default_currency=args.currency,
            system=args.system,
            strict=args.strict,
            fmt=fmt,
            status=status,
            dry_run=args.dry_run,
        )
    except ImportRejected as exc:
        print(f"lifecycle import-csv: {exc}", file=sys.stderr)
        return 1
    skipped = result.effects["skip"]
    sales = result.rows - result.credits - result.bad_rows - skipped
    verb = "would import" if not result.written else "imported"
    where = (
        f"(dry run: nothing written; it would go to {result.path})"
        if not result.written
        else f"into {result.path}"
    )
    print(
        f"{verb} {result.rows:,} row(s) as {result.events:,} events {where}: {sales:,} sale(s), "
        f"{result.credits:,} credit note(s) (negative amounts), {result.bad_rows:,} row(s) with problems"
        + (f", {skipped:,} skipped by status" if skipped else "")
    )
    if status is not None:
        counts = ", ".join(f"{effect} {n:,}" for effect, n in sorted(result.effects.items()))
        print(f"  rows by status effect ({status.column}): {counts}")
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
        "import-csv", parents=[common], help="turn a one-row-per-sale export into contract landing files"
    )
    imp.add_argument(
        "file", nargs="?", help="the export: CSV (header row; UTF-8 unless --encoding) or .xlsx (first sheet)"
    )
    imp.add_argument("--sheet", help="the .xlsx workbook's sheet to read (default: the first)")
    imp.add_argument("--stream", default="sales", help="target stream (sales)")
    imp.add_argument(
        "--preset",
        help="a well-known export's mapping and options (shopify-orders); any flag given overrides it",
    )
    imp.add_argument("--show-preset", metavar="NAME", help="print a preset as the flags it stands for")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="SRC=DST",
        help="source column -> contract field (account_id, occurred_at, amount, currency, "
        "order_id, invoice_id, discount_amount, payment_terms_days, rep_id); repeatable",
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
    imp.add_argument("--status-column", help="the column saying whether a sale was paid, refunded, ...")
    imp.add_argument(
        "--status-map",
        action="append",
        default=[],
        metavar="VALUE=EFFECT",
        help="what a status value means: paid, pending, cancelled, refunded or skip; repeatable",
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
