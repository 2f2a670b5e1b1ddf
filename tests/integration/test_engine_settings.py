"""The engine settings reach every DuckDB writer: the ingest connections and dbt's (through profiles.yml),
and a bad value stops `lifecycle run` before anything is loaded."""

from __future__ import annotations

import subprocess

from pipelines.cli import main
from pipelines.defs.resources import DBT_PROJECT_DIR, dbt_executable
from pipelines.engine import MEMORY_ENV, TEMP_DIR_ENV, THREADS_ENV
from pipelines.raw.db import connect_writer

SHOWN = (
    "select current_setting('memory_limit') as m, current_setting('threads') as t, "
    "current_setting('temp_directory') as d"
)


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
    shown = subprocess.run(
        [
            dbt_executable(),
            "show",
            "--inline",
            SHOWN,
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--output",
            "json",
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"m": "1.5 GiB"' in shown
    assert '"t": 1' in shown
    assert str(spill) in shown


def test_a_bad_memory_limit_stops_the_run_before_anything_is_loaded(warehouse, monkeypatch, capfd):
    monkeypatch.setenv(MEMORY_ENV, "lots")
    assert main(["run", "--start", "2024-01-01", "--end", "2024-01-01"]) == 2
    assert "LIFECYCLE_MEMORY_LIMIT='lots'" in capfd.readouterr().err
    assert not warehouse.database.exists()
