"""Serving: every mart is published as Parquet and in a read-only serving file, stamped with the build.
(A BI tool holding the serving file open through runs: tests/integration/test_dagster_ui.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines.cli import main
from pipelines.serving.publish import STAMP_KEY
from tests.support.landing import land_small_account

OLD_DUCKDB = Path(sys.prefix) / "clients" / "duckdb-1.1"  # `make old-duckdb`
READ_EVERY_MART = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
names = [n for (n,) in con.execute(
    "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
counts = {n: con.execute(f'select count(*) from (select * from marts."{n}")').fetchone()[0] for n in names}
print(json.dumps({"version": duckdb.__version__, "counts": counts}))
"""


def old_duckdb_counts(serving_file: Path) -> dict[str, int]:
    """Every table and view of schema marts with its row count, read by DuckDB 1.1 in its own process."""
    assert (OLD_DUCKDB / "duckdb").is_dir(), f"no DuckDB 1.1 at {OLD_DUCKDB}: run `make old-duckdb`"
    done = subprocess.run(
        [sys.executable, "-c", READ_EVERY_MART, str(serving_file)],
        env={**os.environ, "PYTHONPATH": str(OLD_DUCKDB)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    assert read["version"].startswith("1.1."), read["version"]
    return read["counts"]


def land(warehouse, account: str, arrival: str) -> None:
    land_small_account(warehouse.landing, account, arrival)


def test_every_mart_is_published_stamped_and_equal_to_the_working_tables(warehouse, capfd):
    land(warehouse, "acme", "2024-03-06")
    assert main(["run", "--quiet", "--no-record", "--var", "lost_after_days=200"]) == 0
    # quiet: the summary only; dbt's output goes to the log file the summary names
    out, err = capfd.readouterr()
    assert len(out.splitlines()) < 15, out
    assert err == ""
    log_file = next(line for line in out.splitlines() if "dbt and step output:" in line).split(": ", 1)[1]
    assert "Running with dbt" in Path(log_file).read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        working = {
            name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE'"
            ).fetchall()
        }
    assert {"accounts", "cohort_retention", "revenue_ledger", "churn_drivers", "at_risk_accounts"} <= set(
        working
    )
    assert {p.stem: pq.read_metadata(p).num_rows for p in warehouse.exports.glob("*.parquet")} == working
    stamp = json.loads(pq.read_schema(warehouse.exports / "accounts.parquet").metadata[STAMP_KEY])
    assert stamp["lost_after_days"] == 200
    assert stamp["as_of"] == "2024-03-05"
    with duckdb.connect(str(warehouse.serving_file), read_only=True) as serving:
        assert {
            n: serving.execute(f'select count(*) from marts."{n}"').fetchone()[0] for n in working
        } == working
        assert (
            dict(serving.execute("select key, value from build_info").fetchall())["lost_after_days"] == "200"
        )
        assert (
            dict(serving.execute("select key, value from marts.build_info").fetchall())["as_of"]
            == "2024-03-05"
        )
    # the DuckDB that BI tools bundle (1.1) opens it read-only and reads every mart
    assert old_duckdb_counts(warehouse.serving_file) == working | {"build_info": len(stamp)}
    # the report is written from the serving file even for a business of one account (empty charts)
    page = (warehouse.report).read_text(encoding="utf-8")
    assert all(f'id="{chart}"' in page for chart in ("stages", "churn_drivers", "concentration"))
    assert not list(warehouse.root.glob(".*.tmp"))
    assert not list(warehouse.exports.glob(".*.tmp"))
