"""`lifecycle simulate`: realistic simulated event streams written as landing folders."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from pipelines.cli.common import parse_date
from pipelines.config.paths import warehouse_paths

if TYPE_CHECKING:
    pass


def _cmd_simulate(args: argparse.Namespace) -> int:
    from pipelines.simulator import simulate

    paths = warehouse_paths(args.warehouse).ensure()
    began = time.perf_counter()
    result = simulate(
        paths.landing,
        accounts=args.accounts,
        start=args.start,
        end=args.end,
        seed=args.seed,
        fmt=args.format,
        faults=args.faults,
        chunk_accounts=args.chunk_accounts,
    )
    took = time.perf_counter() - began
    print(
        f"wrote {result.total_events:,} events in {result.files_written:,} files to {paths.landing} "
        f"({took:.1f}s, {result.total_events / max(took, 1e-9):,.0f} events/s)"
    )
    for name, count in result.events_written.items():
        print(f"  {name:<8} {count:>12,}")
    if result.faults_planted:
        print("planted faults: " + ", ".join(f"{k}={v}" for k, v in sorted(result.faults_planted.items())))
    print(f"ground truth: {result.sidecar}")
    return 0


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    sim = sub.add_parser(
        "simulate", parents=[common], help="write realistic simulated event streams as landing folders"
    )
    sim.add_argument("--accounts", type=int, required=True, help="number of customer companies")
    sim.add_argument("--start", type=parse_date, required=True, help="first event day (YYYY-MM-DD)")
    sim.add_argument("--end", type=parse_date, required=True, help="last event day (YYYY-MM-DD)")
    sim.add_argument("--seed", type=int, default=42, help="random seed: the same seed writes the same events")
    sim.add_argument(
        "--format", choices=("parquet", "jsonl", "csv"), default="parquet", help="landing file format"
    )
    sim.add_argument("--faults", action="store_true", help="plant the documented faults (docs/events.md)")
    sim.add_argument("--chunk-accounts", type=int, default=100_000, help="accounts per chunk (bounds memory)")
    sim.set_defaults(handler=_cmd_simulate)
