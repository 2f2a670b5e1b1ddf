"""`lifecycle import-csv`: a one-row-per-sale export turned into contract landing files."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from pipelines.cli.common import parse_date
from pipelines.config.paths import warehouse_paths
from pipelines.errors import ConfigError

if TYPE_CHECKING:
    pass


def _cmd_import_csv(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipelines.imports.csv_export import ImportRejected, import_csv, parse_mapping

    if args.stream != "sales":
        raise ConfigError("import-csv turns one-row-per-sale exports into sales events: use --stream sales")
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
    imp.add_argument(
        "--arrival-date",
        type=parse_date,
        default=date.today(),
        help="landing folder (arrival day) to write to (default today)",
    )
    imp.add_argument(
        "--source-id",
        help="stable name for event ids: lower-case letters, digits, - and _ (default: the file name)",
    )
    imp.add_argument("--strict", action="store_true", help="refuse the whole file if any row has a problem")
    imp.set_defaults(handler=_cmd_import_csv)
