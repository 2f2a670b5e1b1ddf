"""`lifecycle status`: what the warehouse holds, read without writing anything."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from pipelines.config.paths import warehouse_paths

if TYPE_CHECKING:
    pass


def _span(days: list[date]) -> str:
    return f"{len(days):>5,} ({days[0]} .. {days[-1]})" if days else "    0"


def _cmd_status(args: argparse.Namespace) -> int:
    from pipelines.serving.status import warehouse_status

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


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    status = sub.add_parser(
        "status",
        parents=[common],
        help="landed and loaded days, row counts, quarantine by reason, last load, closed months",
    )
    status.set_defaults(handler=_cmd_status)
