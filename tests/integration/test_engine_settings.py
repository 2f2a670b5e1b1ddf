"""The engine settings reach every DuckDB writer: the ingest connections and dbt's (through profiles.yml),
and a bad value stops `lifecycle run` before anything is loaded."""

from __future__ import annotations

import json
import subprocess

from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

from pipelines.cli import main
from pipelines.config.engine import MEMORY_ENV, TEMP_DIR_ENV, THREADS_ENV, engine_settings
from pipelines.dbt.project import DBT_PROJECT_DIR, dbt_executable
from pipelines.warehouse.connections import connect_writer

SHOWN = (
    "select current_setting('memory_limit') as m, current_setting('threads') as t, "
    "current_setting('temp_directory') as d"
)


def dbt_shows(*args: str) -> str:
    """What `dbt show` of the engine settings prints (as dbt by hand, or with the dbt step's vars)."""
    command = [dbt_executable(), "show", "--inline", SHOWN, "--profiles-dir", str(DBT_PROJECT_DIR)]
    return subprocess.run(
        [*command, "--output", "json", *args], cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout


def test_memory_threads_and_spill_directory_reach_ingest_and_dbt(warehouse, monkeypatch, tmp_path):
    spill = tmp_path / "spill"
    monkeypatch.setenv(MEMORY_ENV, "1536MiB")
    monkeypatch.setenv(THREADS_ENV, "1")
    monkeypatch.setenv(TEMP_DIR_ENV, str(spill))
    con = connect_writer(warehouse.database)
    try:
        assert con.execute(SHOWN).fetchone() == ("1.5 GiB", 1, str(spill))
    finally:
        con.close()
    shown = dbt_shows()
    assert '"m": "1.5 GiB"' in shown
    assert '"t": 1' in shown
    assert str(spill) in shown
    # the dbt step passes the resolved settings as vars, which come before the environment
    passed = engine_settings(warehouse.root).dbt_vars()
    monkeypatch.setenv(MEMORY_ENV, "2GiB")
    monkeypatch.setenv(THREADS_ENV, "2")
    shown = dbt_shows("--vars", json.dumps(passed))
    assert '"m": "1.5 GiB"' in shown
    assert '"t": 1' in shown


# 2M distinct groups of 32-character keys: more than a 64 MB memory limit holds, so the aggregate spills
SPILLING_AGGREGATE = (
    "select count(*) as n from (select md5(range::varchar) as k from range(2000000) group by k)"
)


def test_dbt_keeps_building_after_a_query_spilled_to_disk(warehouse, monkeypatch, tmp_path):
    """dbt-duckdb opens a cursor per node; DuckDB refuses to set the spill directory on one once a query
    has spilled. Every node after the first spill of a larger-than-memory build used to fail."""
    spill = tmp_path / "spill"
    monkeypatch.setenv(MEMORY_ENV, "64MB")
    monkeypatch.setenv(TEMP_DIR_ENV, str(spill))
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
    runner = dbtRunner()
    try:
        spilled = runner.invoke(["show", "--inline", SPILLING_AGGREGATE, *project])
        assert spilled.success, spilled.exception
        assert spill.exists()  # it did spill
        # the next invocation in this process reuses dbt-duckdb's open database with a new cursor
        after = runner.invoke(["show", "--inline", "select 1 as one", *project])
        assert after.success, after.exception
    finally:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()


def test_a_bad_memory_limit_stops_the_run_before_anything_is_loaded(warehouse, monkeypatch, capfd):
    monkeypatch.setenv(MEMORY_ENV, "lots")
    assert main(["run", "--start", "2024-01-01", "--end", "2024-01-01"]) == 2
    assert "LIFECYCLE_MEMORY_LIMIT='lots'" in capfd.readouterr().err
    assert not warehouse.database.exists()
