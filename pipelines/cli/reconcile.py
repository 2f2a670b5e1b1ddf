"""`lifecycle reconcile`: a full rebuild beside the live tables, compared row for row."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pipelines.config.paths import warehouse_paths

if TYPE_CHECKING:
    pass


def _cmd_reconcile(args: argparse.Namespace) -> int:
    from pipelines.quality.reconcile import reconcile

    outcome = reconcile(warehouse_paths(args.warehouse))
    if outcome.equal:
        print(f"equal: {len(outcome.tables)} tables match a full rebuild row for row")
        return 0
    for line in outcome.described():
        print(f"DIFFERS {line}")
    print("repair with `lifecycle run --full-refresh`")
    return 1


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    reconcile = sub.add_parser(
        "reconcile",
        parents=[common],
        help="rebuild every model from scratch beside the live tables and compare them row for row "
        "(exit 1 when an incremental table differs)",
    )
    reconcile.set_defaults(handler=_cmd_reconcile)
