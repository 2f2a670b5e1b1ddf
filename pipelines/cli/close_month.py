"""`lifecycle close-month`: a month's finance figures published as known now, or the list of closes."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pipelines.config.paths import warehouse_paths
from pipelines.errors import ConfigError, NotBuiltYet

if TYPE_CHECKING:
    from pipelines.finance.closing import MonthClose


def _cmd_close_month(args: argparse.Namespace) -> int:
    from pipelines.finance.closing import CloseRefused, close_month, list_closes, parse_month
    from pipelines.warehouse.connections import connect_writer, writer_lock

    if args.list == (args.month is not None):
        raise ConfigError("give a month (YYYY-MM) to close, or --list")
    paths = warehouse_paths(args.warehouse)
    if not paths.database.exists():
        raise NotBuiltYet(f"no warehouse database at {paths.database}: run `lifecycle run` first")
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


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
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
