"""One benchmark phase per process (called by bench/__main__.py); prints a JSON line with its result."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import duckdb


def simulate(landing: str, accounts: str, start: str, end: str, fmt: str) -> dict:
    from pipelines.simulator import simulate as run

    result = run(Path(landing), int(accounts), date.fromisoformat(start), date.fromisoformat(end), fmt=fmt)
    return {"events": result.total_events, "files": result.files_written}


def scan(landing: str, fmt: str) -> dict:
    """The floor: DuckDB reading every landing file of the three streams into a table, nothing else."""
    from pipelines.config.engine import engine_settings
    from pipelines.warehouse.connections import apply_engine_settings

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    # the ingest's memory limit and threads; past the limit it spills (a 100M run holds more than memory)
    apply_engine_settings(con, engine_settings(Path(landing).parent))
    rows = 0
    for stream in ("sales", "service", "contact"):
        pattern = str(Path(landing) / stream / "*" / f"*.{fmt}")
        reader = (
            "read_parquet($p, union_by_name = true, filename = true)"
            if fmt == "parquet"
            else "read_json($p, format = 'newline_delimited', filename = true)"
        )
        con.execute(f"create or replace table t as select * from {reader}", {"p": pattern})
        rows += con.execute("select count(*) from t").fetchone()[0]
    return {"rows": rows}


def ingest(root: str, fmt: str, first: str = "", last: str = "") -> dict:
    """Load the landed arrival days within [first, last] (default: all) of every stream, and the FX rates."""
    from pipelines.contract import STREAMS
    from pipelines.raw.fx import load_fx_rates
    from pipelines.raw.loader import landed_days, load_days
    from pipelines.warehouse.connections import connect_writer

    landing = Path(root) / "landing"
    within = [date.fromisoformat(d) if d else None for d in (first, last)]
    # as a pipeline run connects: the memory limit, threads and spill directory of pipelines/config/engine.py
    con = connect_writer(Path(root) / "lifecycle.duckdb")
    totals = {}
    for schema in STREAMS.values():
        summary = load_days(con, landing, schema, landed_days(landing, schema.name, *within))
        totals[schema.name] = summary.rows_accepted
    load_fx_rates(con, landing)
    return {"accepted": totals}


def dbt_build(
    root: str,
    target_path: Path,
    full_refresh: bool,
    target: str = "duckdb",
    env: dict[str, str] | None = None,
) -> None:
    """`dbt build` as a user runs it by hand: the warehouse named by the environment."""
    from pipelines.dbt.args import dbt_build_args
    from pipelines.dbt.invoke import run_dbt
    from pipelines.dbt.project import PROFILES_DIR

    args = dbt_build_args({}, None, full_refresh=full_refresh, target=target)
    args += ["--quiet", "--profiles-dir", str(PROFILES_DIR), "--target-path", str(target_path)]
    run_dbt(args, capture=True, env={"LIFECYCLE_WAREHOUSE": str(Path(root).resolve()), **(env or {})})


def dbt(root: str, *flags: str) -> dict:
    # the warehouse's own target folder, as a pipeline run uses (its parse state is reused)
    dbt_build(root, Path(root).resolve() / "dbt", full_refresh="--full-refresh" in flags)
    with duckdb.connect(str(Path(root) / "lifecycle.duckdb"), read_only=True) as con:
        last = con.execute(
            "select reason, accounts_recomputed from intermediate.int_builds_completed "
            "order by completed_at desc limit 1"
        ).fetchone()
    return {"reason": last[0], "accounts_recomputed": last[1]} if last else {}


def spark(root: str) -> dict:
    """The full build on a local Spark session, as `lifecycle run --target spark` does it: export the
    dbt sources, then every model and test from scratch, then the marts as Parquet."""
    from pipelines.config.paths import warehouse_paths
    from pipelines.spark.inputs import export_inputs
    from pipelines.spark.session import spark_environ

    paths = warehouse_paths(root)
    began = time.perf_counter()
    exported = export_inputs(paths.database, paths.spark_inputs)
    exporting = time.perf_counter() - began
    dbt_build(root, paths.spark / "dbt", full_refresh=True, target="spark", env=spark_environ(os.environ))
    return {
        "inputs": exported,
        "marts": len(list(paths.spark_exports.iterdir())),
        "export_seconds": round(exporting, 2),
        "dbt_seconds": round(time.perf_counter() - began - exporting, 2),
        **node_times(paths.spark / "dbt" / "run_results.json"),
    }


def node_times(run_results: Path, top: int = 8) -> dict:
    """Where a dbt build's time went: dbt's elapsed time, node time summed by kind (the run-end hook
    exports the marts on Spark), and the slowest nodes."""
    results = json.loads(run_results.read_text())
    by_kind: dict[str, float] = {}
    for node in results["results"]:
        kind = node["unique_id"].split(".")[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + node["execution_time"]
    slowest = sorted(results["results"], key=lambda node: -node["execution_time"])[:top]
    return {
        "dbt_elapsed_seconds": round(results["elapsed_time"], 2),
        "node_seconds": {kind: round(seconds, 2) for kind, seconds in sorted(by_kind.items())},
        "slowest": {node["unique_id"].split(".")[-1]: round(node["execution_time"], 2) for node in slowest},
    }


def effects(root: str) -> dict:
    """The adjusted churn-driver effects, as the asset after a build: read churn_observations, fit, write."""
    from pipelines.churn.tables import refit_effects

    with duckdb.connect(str(Path(root) / "lifecycle.duckdb")) as con:
        observations, fitted = refit_effects(con)
    return {"observations": observations, "bands": len(fitted)}


def forecasts(root: str) -> dict:
    """The purchase forecasts, as the asset after a build: read purchase_days, fit twice (current and
    backtest), score every account, write the four marts."""
    from pipelines.config.lifecycle import LifecycleSettings
    from pipelines.forecast.tables import refit_forecasts

    settings = LifecycleSettings()
    with duckdb.connect(str(Path(root) / "lifecycle.duckdb")) as con:
        fitted = refit_forecasts(con, settings.forecast_horizon_days, settings.forecast_holdout_days)
    return {"accounts": len(fitted.accounts), "notes": fitted.notes}


def forecast_population(accounts: str) -> dict:
    """The forecasts' fit and scoring alone on a synthetic population of `accounts` (purchase days drawn
    at random over three years, a geometric number each): how their cost grows with accounts."""
    from datetime import date

    import numpy as np
    import pandas as pd

    from pipelines.forecast.accounts import forecast

    rng = np.random.default_rng(7)
    n = int(accounts)
    per_account = rng.geometric(0.15, n)
    owner = np.repeat(np.arange(n), per_account)
    first = rng.integers(0, 900, n)[owner]
    offset = np.minimum(first + rng.integers(0, 1095, len(owner)), 1094)
    days = pd.DataFrame({"account_id": pd.Series(owner).astype(str), "day": offset}).drop_duplicates()
    days["purchase_date"] = pd.Timestamp(date(2023, 1, 1)) + pd.to_timedelta(days["day"], unit="D")
    days["revenue"] = rng.gamma(2.0, 200.0, len(days))
    stages = pd.DataFrame({"account_id": days["account_id"].unique(), "current_stage": "repeat"})
    began = time.perf_counter()
    fitted = forecast(days, stages, date(2025, 12, 31), 365, 365)
    return {
        "accounts": n,
        "purchase_days": len(days),
        "seconds": time.perf_counter() - began,
        "notes": fitted.notes,
    }


def lifecycle_run(root: str, *flags: str) -> dict:
    """`lifecycle run --quiet` as a user runs it on the warehouse `root`: a new process, the run recorded
    in <warehouse>/dagster, the marts published and the report written."""
    from pipelines.cli import main as cli

    os.environ["LIFECYCLE_WAREHOUSE"] = str(Path(root).resolve())
    os.environ.pop("DAGSTER_HOME", None)
    if cli(["run", "--quiet", *flags]) != 0:
        raise SystemExit(f"lifecycle run {' '.join(flags)} failed")
    return {"flags": list(flags)}


def day(root: str, fmt: str, arrival: str) -> dict:
    """What a daily run does to the warehouse: load one arrival day, then the (incremental) dbt build."""
    loaded = ingest(root, fmt, arrival, arrival)
    return loaded | dbt(root)


if __name__ == "__main__":
    phase, *rest = sys.argv[1:]
    phases = {
        "simulate": simulate,
        "scan": scan,
        "ingest": ingest,
        "dbt": dbt,
        "effects": effects,
        "forecasts": forecasts,
        "forecast_population": forecast_population,
        "day": day,
        "spark": spark,
        "lifecycle_run": lifecycle_run,
    }
    print(json.dumps(phases[phase](*rest)))
