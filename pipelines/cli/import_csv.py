"""`lifecycle import-csv`: a one-row-per-sale export turned into contract landing files."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from pipelines.cli.common import parse_date
from pipelines.config.paths import warehouse_paths
from pipelines.errors import ConfigError


def _cmd_import_csv(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipelines.imports.csv_export import ExportFormat, ImportRejected, grouped, import_csv, parse_mapping

    if args.stream != "sales":
        raise ConfigError("import-csv turns one-row-per-sale exports into sales events: use --stream sales")
    paths = warehouse_paths(args.warehouse).ensure()
    fmt = ExportFormat(
        delimiter=args.delimiter,
        encoding=args.encoding,
        decimal_comma=args.decimal_comma,
        date_format=args.date_format,
        negative=args.negative,
    )
    try:
        result = import_csv(
            Path(args.file),
            paths.landing,
            parse_mapping(args.map),
            args.arrival_date,
            default_currency=args.currency,
            system=args.system,
            strict=args.strict,
            fmt=fmt,
        )
    except ImportRejected as exc:
        print(f"lifecycle import-csv: {exc}", file=sys.stderr)
        return 1
    sales = result.rows - result.credits
    print(
        f"imported {result.rows:,} row(s) as {result.events:,} events into {result.path}: "
        f"{sales - result.bad_rows:,} sale(s), {result.credits:,} credit note(s) (negative amounts), "
        f"{result.bad_rows:,} row(s) with problems"
    )
    if result.found:
        print(
            f"  {result.bad_rows:,} row(s) with problems were written as they were, and `lifecycle run` "
            "quarantines them (raw.quarantine, the export's row in import_row); --strict refuses the file:",
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
    imp.add_argument("--encoding", default="utf-8", help="the file's encoding, e.g. cp1252 (default UTF-8)")
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
    imp.set_defaults(handler=_cmd_import_csv)
