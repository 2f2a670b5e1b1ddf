"""One benchmark phase per process (called by bench/__main__.py); prints a JSON line with its result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb


def simulate(landing: str, accounts: str, start: str, end: str, fmt: str) -> dict:
    from pipelines.simulator import simulate as run

    result = run(Path(landing), int(accounts), date.fromisoformat(start), date.fromisoformat(end), fmt=fmt)
    return {"events": result.total_events, "files": result.files_written}


def scan(landing: str, fmt: str) -> dict:
    """The floor: DuckDB reading every landing file of the three streams into a table, nothing else."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
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


def ingest(root: str, fmt: str) -> dict:
    from pipelines.contract import STREAMS
    from pipelines.raw.loader import landed_days, load_days

    landing = Path(root) / "landing"
    con = duckdb.connect(str(Path(root) / "lifecycle.duckdb"))
    totals = {}
    for schema in STREAMS.values():
        summary = load_days(con, landing, schema, landed_days(landing, schema.name))
        totals[schema.name] = summary.rows_accepted
    from pipelines.raw.fx import load_fx_rates

    load_fx_rates(con, landing)
    return {"accepted": totals}


def dbt(root: str) -> dict:
    from pipelines.defs.resources import DBT_PROJECT_DIR, dbt_executable

    env = dict(os.environ, LIFECYCLE_WAREHOUSE=str(Path(root).resolve()))
    done = subprocess.run(
        [dbt_executable(), "build", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout[-4000:] + done.stderr[-2000:])
    return {"ok": True}


if __name__ == "__main__":
    phase, *rest = sys.argv[1:]
    print(json.dumps({"simulate": simulate, "scan": scan, "ingest": ingest, "dbt": dbt}[phase](*rest)))
