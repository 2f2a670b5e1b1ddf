"""Resources in one place: the DuckDB warehouse and the dbt CLI."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.settings import WarehousePaths, export_warehouse_env, warehouse_paths

# Every DuckDB writer (ingest assets, dbt) runs in this pool; .dagster/dagster.yaml limits it to 1.
DUCKDB_WRITER_POOL = "duckdb_writer"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


class WarehouseResource(dg.ConfigurableResource):
    """The local warehouse directory; `root` empty means $LIFECYCLE_WAREHOUSE (or ./warehouse) at run time."""

    root: str = ""

    def paths(self) -> WarehousePaths:
        paths = warehouse_paths(self.root or None).ensure()
        export_warehouse_env(paths)  # dbt, started by this process, reads the same directory
        return paths

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.paths().database))
        try:
            con.execute("set timezone = 'UTC'")
            yield con
        finally:
            con.close()


def dbt_executable() -> str:
    """dbt from this interpreter's environment (the venv is not always on PATH), else from PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def resources() -> dict:
    from dagster_dbt import DbtCliResource

    return {
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=dbt_executable(),
        ),
    }
