"""Benchmarks, each phase in its own process so its peak memory is its own.

    python -m bench [--events 10m] [--runs 3] [--keep DIR]       (make bench SIZE=1m|10m|100m)

Reports medians over --runs for the simulator, ingest of Parquet and of JSON Lines next to the time
DuckDB alone needs to scan the same files (the floor), and the dbt build on the ingested data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Simulated events per account over three years with the default parameters (measured).
EVENTS_PER_ACCOUNT = 29.0
START, END = "2023-01-01", "2025-12-31"


def run_phase(args: list[str], env: dict | None = None) -> tuple[float, float, dict]:
    """Run `python -m bench.phases ARGS` and return (seconds, peak RSS in MiB, its JSON result)."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.phases", *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env or os.environ.copy(),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    out = proc.stdout.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench phase {args} failed:\n{out}")
    return seconds, usage.ru_maxrss / 1024, json.loads(out.strip().splitlines()[-1])


def median_of(runs: int, make_args, label: str) -> dict:
    results = []
    for i in range(runs):
        seconds, rss, result = run_phase(make_args(i))
        results.append((seconds, rss, result))
        print(f"  {label} run {i + 1}/{runs}: {seconds:.1f}s, peak {rss:,.0f} MiB", flush=True)
    return {
        "seconds": statistics.median(r[0] for r in results),
        "peak_mib": statistics.median(r[1] for r in results),
        "result": results[-1][2],
        "all_seconds": [round(r[0], 2) for r in results],
    }


def _count(text: str) -> int:
    """1000000, 1m, 10m, 250k: an event count."""
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    digits = text[:-1] if factor > 1 else text
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(f"not an event count (e.g. 1m, 10m, 1000000): {text!r}")
    return int(digits) * factor


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument(
        "--events", type=_count, default=10_000_000, help="events to simulate: 1000000, or 1m, 10m, 100m"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="work directory to keep (default: a temporary one, removed)")
    args = parser.parse_args()
    accounts = max(1, round(args.events / EVENTS_PER_ACCOUNT))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lifecycle-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"bench: ~{args.events:,} events ({accounts:,} accounts, {START}..{END}), {args.runs} runs, in {work}"
    )
    report: dict = {"machine": {"cpus": os.cpu_count()}, "events_target": args.events}
    try:
        for fmt in ("parquet", "jsonl"):
            landing = work / fmt / "landing"

            def sim_args(i: int, fmt=fmt, landing=landing) -> list[str]:
                shutil.rmtree(landing, ignore_errors=True)
                return ["simulate", str(landing), str(accounts), START, END, fmt]

            sim = median_of(args.runs if fmt == "parquet" else 1, sim_args, f"simulate {fmt}")
            events = sim["result"]["events"]
            report[f"simulate_{fmt}"] = sim | {"events_per_second": events / sim["seconds"]}

            floor = median_of(
                args.runs,
                lambda i, fmt=fmt, landing=landing: ["scan", str(landing), fmt],
                f"duckdb scan {fmt} (floor)",
            )

            def ingest_args(i: int, fmt=fmt) -> list[str]:
                database = work / fmt / "lifecycle.duckdb"
                database.unlink(missing_ok=True)
                return ["ingest", str(work / fmt), fmt]

            ingest = median_of(args.runs, ingest_args, f"ingest {fmt}")
            report[f"ingest_{fmt}"] = ingest | {
                "events_per_second": events / ingest["seconds"],
                "floor_seconds": floor["seconds"],
                "ratio_to_floor": ingest["seconds"] / floor["seconds"],
            }

        dbt = median_of(args.runs, lambda i: ["dbt", str(work / "parquet")], "dbt build")
        report["dbt_build"] = dbt
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print("\nresults (medians):")
    for fmt in ("parquet", "jsonl"):
        s, g = report[f"simulate_{fmt}"], report[f"ingest_{fmt}"]
        print(
            f"  simulate {fmt:<8} {s['result']['events']:>12,} events  {s['seconds']:7.1f}s "
            f"{s['events_per_second']:>12,.0f} ev/s  peak {s['peak_mib']:,.0f} MiB"
        )
        print(
            f"  ingest   {fmt:<8} {g['seconds']:7.1f}s {g['events_per_second']:>12,.0f} ev/s  peak "
            f"{g['peak_mib']:,.0f} MiB  floor (DuckDB scan) {g['floor_seconds']:.1f}s  ratio "
            f"{g['ratio_to_floor']:.1f}x"
        )
    d = report["dbt_build"]
    print(f"  dbt build (parquet data) {d['seconds']:.1f}s  peak {d['peak_mib']:,.0f} MiB")
    out = Path(os.environ.get("LIFECYCLE_WAREHOUSE", "warehouse")) / "reports" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"  full report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
