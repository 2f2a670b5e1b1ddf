"""`lifecycle report`: the offline HTML report from the last published build."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pipelines.config.paths import warehouse_paths
from pipelines.errors import NotBuiltYet

if TYPE_CHECKING:
    pass


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipelines.serving.report import build_report

    paths = warehouse_paths(args.warehouse)
    serving_file = paths.serving_file
    if not serving_file.exists():
        raise NotBuiltYet(f"nothing published yet ({serving_file}): run `lifecycle run` first")
    report = build_report(serving_file, Path(args.output) if args.output else paths.report)
    print(f"wrote {report.path} ({len(report.charts)} charts, {report.at_risk_rows} at-risk accounts listed)")
    return 0


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    report = sub.add_parser(
        "report",
        parents=[common],
        help="write the offline HTML report from the last published build "
        "(every successful run writes it too)",
    )
    report.add_argument(
        "--output", help="where to write it (default: <warehouse>/reports/lifecycle_report.html)"
    )
    report.set_defaults(handler=_cmd_report)
