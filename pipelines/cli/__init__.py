"""`lifecycle`: the command line of the pipeline (simulate, import-csv, run, close-month, status, report,
docs, demo). One module per command, each adding its parser and handling it."""

from __future__ import annotations

import argparse
import sys
import warnings

from pipelines.cli import close_month, docs, import_csv, reconcile, report, run, simulate, status
from pipelines.cli.common import WAREHOUSE_HELP, common_parser
from pipelines.errors import LifecycleError

# in the order `lifecycle --help` lists them
COMMANDS = (simulate, run, import_csv, close_month, status, reconcile, report, docs)


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
    common = common_parser()
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub, common)
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
