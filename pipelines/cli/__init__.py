"""`lifecycle`: the command line of the pipeline (simulate, import-csv, run, close-month, status, report,
docs, demo). One module per command, each adding its parser and handling it."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from pipelines.cli import close_month, docs, import_csv, reconcile, report, run, simulate, status
from pipelines.cli.common import WAREHOUSE_HELP, common_parser
from pipelines.config.paths import warehouse_paths
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
    except LifecycleError as exc:
        print(f"lifecycle {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a fault of the pipeline itself: the cause here, the stack trace in a file
        trace = _keep_trace(args)
        print(
            f"lifecycle {args.command}: unexpected error: {type(exc).__name__}: {exc}\n"
            f"  the stack trace is in {trace}; please report it with that file",
            file=sys.stderr,
        )
        return 3


def _keep_trace(args: argparse.Namespace) -> Path:
    """The current exception's stack trace in <warehouse>/logs (else the temporary folder)."""
    name = f"lifecycle-{args.command}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.trace"
    text = traceback.format_exc()
    for folder in (warehouse_paths(getattr(args, "warehouse", None)).logs, Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
            return folder / name
        except OSError:
            continue
    return Path("(not written: no folder had room)")
