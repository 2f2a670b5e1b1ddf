"""Benchmarks, each phase in its own process so its peak memory is its own.

    python -m bench [--events 10m] [--runs 3] [--keep DIR]       (make bench SIZE=1m|10m|100m)

Reports medians (with min and max) over --runs for the simulator, ingest of Parquet and of JSON Lines
next to the time DuckDB alone needs to scan the same files (the floor), the full dbt build, the fit of the
adjusted churn-driver effects on what it built, the pipeline
end to end (ingest + full build) against the floor, `lifecycle run` as a user runs it (a first load,
recorded, published, with the report; the next morning's plain run with one day delivered again; then
`--rebuild`), and one more arrival day: loading a day into the history of all days before it and
building incrementally, next to the same run on a warehouse that holds only that day; twice, for the
last landed day (late events only: the as-of date stays) and for a day of the span's last month (the
as-of date moves a day, as in a daily run). Peak memory is each phase process's maximum RSS.
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
from datetime import date
from pathlib import Path

# Simulated events per account over three years with the default parameters (measured).
EVENTS_PER_ACCOUNT = 29.0
START, END = "2023-01-01", "2025-12-31"
# Synthetic populations the forecasts alone are timed on: is their cost linear in accounts?
FORECAST_POPULATIONS = (50_000, 200_000, 800_000)


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
        "min_seconds": min(r[0] for r in results),
        "max_seconds": max(r[0] for r in results),
        "peak_mib": statistics.median(r[1] for r in results),
        "max_peak_mib": max(r[1] for r in results),
        "result": results[-1][2],
        "all_seconds": [round(r[0], 2) for r in results],
    }


def last_arrival_day(landing: Path) -> date:
    return max(date.fromisoformat(p.name) for p in landing.glob("*/????-??-??") if p.is_dir())


def within_span_day() -> date:
    """A day of the simulated span's last month: its events move the as-of date by a day, as a daily
    run's do. The last arrival day holds late events only (the span ended weeks before), so on that day
    the as-of date stays where it was."""
    return date.fromisoformat(END).replace(day=15)


def one_more_day(work: Path, runs: int, day: date) -> dict:
    """The arrival `day` loaded into the history of every day before it (built once, untimed, then
    restored before each run) and built incrementally; next to it, the same day on an empty warehouse."""
    landing = work / "parquet" / "landing"
    last = day.isoformat()
    before = date.fromordinal(day.toordinal() - 1).isoformat()
    history, one_day = work / "history", work / "one_day"
    for root in (history, one_day):
        root.mkdir(exist_ok=True)
        if not (root / "landing").exists():
            (root / "landing").symlink_to(landing)
    print(f"  preparing the history before {last} (untimed)", flush=True)
    (history / "lifecycle.duckdb").unlink(missing_ok=True)
    (history / "history.duckdb").unlink(missing_ok=True)
    run_phase(["ingest", str(history), "parquet", "", before])
    run_phase(["dbt", str(history)])
    # restored before every run but the first; a single run needs no copy (at 100M it is ~20 GB)
    saved = history / "history.duckdb"
    if runs > 1:
        shutil.copy(history / "lifecycle.duckdb", saved)

    def on_history(i: int) -> list[str]:
        if i > 0:
            shutil.copy(saved, history / "lifecycle.duckdb")
        return ["day", str(history), "parquet", last]

    def on_empty(i: int) -> list[str]:
        (one_day / "lifecycle.duckdb").unlink(missing_ok=True)
        return ["day", str(one_day), "parquet", last]

    grown = median_of(runs, on_history, f"one more day ({last}) on the history")
    alone = median_of(runs, on_empty, "the same day on an empty warehouse")
    return {"day": last, "on_history": grown, "alone": alone, "ratio": grown["seconds"] / alone["seconds"]}


def user_runs(work: Path, runs: int, floor_seconds: float) -> dict:
    """`lifecycle run` as a user runs it (its own process, recorded, published, report) on the Parquet
    landing: the first load of the whole history on a new warehouse, then `--rebuild` on its result."""
    user = work / "user"

    def first_load(i: int) -> list[str]:
        shutil.rmtree(user, ignore_errors=True)
        user.mkdir()
        (user / "landing").symlink_to(work / "parquet" / "landing")
        return ["lifecycle_run", str(user)]

    first = median_of(runs, first_load, "lifecycle run (first load, recorded, published, report)")
    landing = work / "parquet" / "landing"
    last = last_arrival_day(landing).isoformat()

    def next_day(i: int) -> list[str]:
        # the last day's files delivered again: the plain run of the next morning loads that day alone
        for path in landing.glob(f"*/{last}/*"):
            os.utime(path)
        return ["lifecycle_run", str(user)]

    daily = median_of(runs, next_day, f"lifecycle run the next morning (day {last} delivered again)")
    rebuild = median_of(runs, lambda i: ["lifecycle_run", str(user), "--rebuild"], "lifecycle run --rebuild")
    shutil.rmtree(user, ignore_errors=True)
    return {
        "first_load": first | {"ratio_to_floor": first["seconds"] / floor_seconds},
        "next_day": daily,
        "rebuild": rebuild,
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
    parser.add_argument(
        "--formats", default="parquet,jsonl", help="landing formats to ingest (default parquet,jsonl)"
    )
    parser.add_argument(
        "--spark",
        action="store_true",
        help="also time the full build on a local Spark session (docs/spark.md)",
    )
    args = parser.parse_args()
    accounts = max(1, round(args.events / EVENTS_PER_ACCOUNT))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lifecycle-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"bench: ~{args.events:,} events ({accounts:,} accounts, {START}..{END}), {args.runs} runs, in {work}"
    )
    report: dict = {"machine": {"cpus": os.cpu_count()}, "events_target": args.events}
    try:
        formats = [f for f in ("parquet", "jsonl") if f in args.formats.split(",")]
        for fmt in formats:
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
                "floor_min": floor["min_seconds"],
                "floor_max": floor["max_seconds"],
                "ratio_to_floor": ingest["seconds"] / floor["seconds"],
            }

        full = median_of(
            args.runs, lambda i: ["dbt", str(work / "parquet"), "--full-refresh"], "full dbt build"
        )
        report["dbt_build"] = full
        report["churn_effects"] = median_of(
            args.runs, lambda i: ["effects", str(work / "parquet")], "churn driver effects (fit)"
        )
        report["forecasts"] = median_of(
            args.runs, lambda i: ["forecasts", str(work / "parquet")], "purchase forecasts (fit, score)"
        )
        report["forecast_scaling"] = {
            n: median_of(
                args.runs, lambda i, n=n: ["forecast_population", str(n)], f"forecasts on {n:,} accounts"
            )
            for n in FORECAST_POPULATIONS
        }
        ingest = report["ingest_parquet"]
        end_to_end = ingest["seconds"] + full["seconds"]
        report["end_to_end"] = {
            "seconds": end_to_end,
            "floor_seconds": ingest["floor_seconds"],
            "ratio_to_floor": end_to_end / ingest["floor_seconds"],
            "peak_mib": max(ingest["peak_mib"], full["peak_mib"]),
        }
        report["lifecycle_run"] = user_runs(work, args.runs, ingest["floor_seconds"])
        if args.spark:
            on_spark = median_of(args.runs, lambda i: ["spark", str(work / "parquet")], "full build on Spark")
            report["spark_build"] = on_spark | {"ratio_to_duckdb": on_spark["seconds"] / full["seconds"]}
        # measured: one database on disk at a time from here on (at 100M events each is ~20 GB)
        (work / "parquet" / "lifecycle.duckdb").unlink()
        report["one_more_day"] = one_more_day(work, args.runs, last_arrival_day(work / "parquet" / "landing"))
        report["one_more_day_within_span"] = one_more_day(work, args.runs, within_span_day())
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print("\nresults (medians, [min-max]):")
    for fmt in formats:
        s, g = report[f"simulate_{fmt}"], report[f"ingest_{fmt}"]
        print(
            f"  simulate {fmt:<8} {s['result']['events']:>12,} events  {s['seconds']:7.1f}s "
            f"[{s['min_seconds']:.1f}-{s['max_seconds']:.1f}] {s['events_per_second']:>12,.0f} ev/s  peak "
            f"{s['peak_mib']:,.0f} MiB"
        )
        print(
            f"  ingest   {fmt:<8} {g['seconds']:7.1f}s [{g['min_seconds']:.1f}-{g['max_seconds']:.1f}] "
            f"{g['events_per_second']:>12,.0f} ev/s  peak {g['peak_mib']:,.0f} MiB  floor (DuckDB scan) "
            f"{g['floor_seconds']:.1f}s [{g['floor_min']:.1f}-{g['floor_max']:.1f}]  "
            f"ratio {g['ratio_to_floor']:.1f}x"
        )
    d, e, m = report["dbt_build"], report["end_to_end"], report["one_more_day"]
    print(
        f"  full dbt build (parquet data) {d['seconds']:.1f}s [{d['min_seconds']:.1f}-{d['max_seconds']:.1f}]"
        f"  peak {d['peak_mib']:,.0f} MiB"
    )
    print(
        f"  end to end (ingest parquet + full build) {e['seconds']:.1f}s  ratio to the floor "
        f"{e['ratio_to_floor']:.1f}x  peak {e['peak_mib']:,.0f} MiB"
    )
    u, r = report["lifecycle_run"]["first_load"], report["lifecycle_run"]["rebuild"]
    n = report["lifecycle_run"]["next_day"]
    print(
        f"  lifecycle run as a user runs it (first load: ingest, build, fits, publish, report; recorded) "
        f"{u['seconds']:.1f}s [{u['min_seconds']:.1f}-{u['max_seconds']:.1f}]  ratio to the floor "
        f"{u['ratio_to_floor']:.1f}x  peak {u['peak_mib']:,.0f} MiB; the next morning's plain run (one "
        f"day changed) {n['seconds']:.1f}s [{n['min_seconds']:.1f}-{n['max_seconds']:.1f}]  peak "
        f"{n['peak_mib']:,.0f} MiB; lifecycle run --rebuild "
        f"{r['seconds']:.1f}s [{r['min_seconds']:.1f}-{r['max_seconds']:.1f}]  peak {r['peak_mib']:,.0f} MiB"
    )
    c = report["churn_effects"]
    print(
        f"  churn driver effects (read, fit, write) {c['seconds']:.1f}s [{c['min_seconds']:.1f}-"
        f"{c['max_seconds']:.1f}]  peak {c['peak_mib']:,.0f} MiB  on {c['result']['observations']:,} "
        "account-quarters"
    )
    f = report["forecasts"]
    print(
        f"  purchase forecasts (read, fit twice, score, write) {f['seconds']:.1f}s [{f['min_seconds']:.1f}-"
        f"{f['max_seconds']:.1f}]  peak {f['peak_mib']:,.0f} MiB  on {f['result']['accounts']:,} accounts"
    )
    for n, run in report["forecast_scaling"].items():
        print(
            f"  forecasts on {n:>9,} synthetic accounts (process, with the data drawn) {run['seconds']:.1f}s "
            f"[{run['min_seconds']:.1f}-{run['max_seconds']:.1f}], fit and scoring "
            f"{run['result']['seconds']:.1f}s, peak {run['peak_mib']:,.0f} MiB"
        )
    days = ((m, "late events only"), (report["one_more_day_within_span"], "the as-of date moves"))
    for day, what in days:
        g, a = day["on_history"], day["alone"]
        print(
            f"  one more day {day['day']} ({what}; load + incremental build) on the history "
            f"{g['seconds']:.1f}s [{g['min_seconds']:.1f}-{g['max_seconds']:.1f}], peak "
            f"{g['peak_mib']:,.0f} MiB; on an empty warehouse {a['seconds']:.1f}s "
            f"[{a['min_seconds']:.1f}-{a['max_seconds']:.1f}]; ratio {day['ratio']:.2f}x"
        )
    if "spark_build" in report:
        b = report["spark_build"]
        print(
            f"  full build on Spark (export, models, tests, marts) {b['seconds']:.1f}s "
            f"[{b['min_seconds']:.1f}-{b['max_seconds']:.1f}], {b['ratio_to_duckdb']:.1f}x the DuckDB build"
        )
        spent = b["result"]
        print(
            f"    where its time went (last run): export of the inputs {spent['export_seconds']:.1f}s, dbt "
            f"{spent['dbt_seconds']:.1f}s (node time by kind {spent['node_seconds']}); slowest nodes "
            f"{spent['slowest']}"
        )
    out = Path(os.environ.get("LIFECYCLE_WAREHOUSE", "warehouse")) / "reports" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"  full report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
