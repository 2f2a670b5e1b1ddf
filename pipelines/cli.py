"""`lifecycle`: the command line of the pipeline (simulate, import-csv, run)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from pipelines.settings import warehouse_paths


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_simulate(args: argparse.Namespace) -> int:
    from pipelines.simulator import simulate

    paths = warehouse_paths(args.warehouse).ensure()
    began = time.perf_counter()
    result = simulate(paths.landing, accounts=args.accounts, start=args.start, end=args.end, seed=args.seed,
                      fmt=args.format, faults=args.faults, chunk_accounts=args.chunk_accounts)
    took = time.perf_counter() - began
    print(f"wrote {result.total_events:,} events in {result.files_written:,} files to {paths.landing} "
          f"({took:.1f}s, {result.total_events / max(took, 1e-9):,.0f} events/s)")
    for name, count in result.events_written.items():
        print(f"  {name:<8} {count:>12,}")
    if result.faults_planted:
        print("planted faults: " + ", ".join(f"{k}={v}" for k, v in sorted(result.faults_planted.items())))
    print(f"ground truth: {result.sidecar}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lifecycle", description=__doc__)
    parser.add_argument("--warehouse", help="warehouse directory (default: $LIFECYCLE_WAREHOUSE or ./warehouse)")
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write realistic simulated event streams as landing folders")
    sim.add_argument("--accounts", type=int, required=True, help="number of customer companies")
    sim.add_argument("--start", type=_date, required=True, help="first event day (YYYY-MM-DD)")
    sim.add_argument("--end", type=_date, required=True, help="last event day (YYYY-MM-DD)")
    sim.add_argument("--seed", type=int, default=42)
    sim.add_argument("--format", choices=("parquet", "jsonl", "csv"), default="parquet")
    sim.add_argument("--faults", action="store_true", help="plant the documented faults (docs/events.md)")
    sim.add_argument("--chunk-accounts", type=int, default=100_000, help="accounts per chunk (bounds memory)")
    sim.set_defaults(handler=_cmd_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"lifecycle {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
