"""Resources in one place: the DuckDB warehouse, the lifecycle settings and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
import duckdb

from pipelines.config.lifecycle import LifecycleSettings
from pipelines.config.paths import WarehousePaths, warehouse_paths
from pipelines.dbt.project import DBT_PROJECT_DIR, PROFILES_DIR, dbt_executable
from pipelines.runs.writer_slot import WRITER_POOL
from pipelines.warehouse.connections import connect_writer, writer_lock

# Every DuckDB writer (ingest assets, dbt, publishing) runs in this pool; the instance configuration
# (pipelines/runs/instance.py) limits it to 1, and pipelines/runs/writer_slot.py frees it from runs that died.
DUCKDB_WRITER_POOL = WRITER_POOL


class LifecycleSettingsResource(dg.ConfigurableResource, LifecycleSettings):
    """The lifecycle settings as Dagster's resource: set per run in run config, validated as the CLI's are."""


class WarehouseResource(dg.ConfigurableResource):
    """The local warehouse directory; `root` empty means $LIFECYCLE_WAREHOUSE (or ./warehouse) at run time."""

    root: str = ""

    def paths(self) -> WarehousePaths:
        return warehouse_paths(self.root or None)

    @contextmanager
    def writing(self, what: str, log: Any = None) -> Iterator[WarehousePaths]:
        """Hold the warehouse's writer lock (other runs wait their turn) for a step that writes."""
        paths = self.paths().ensure()
        with writer_lock(paths.root, what, log=log.info if log else print):
            yield paths

    @contextmanager
    def connect(self, log: Any = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection; call inside `writing`."""
        con = connect_writer(self.paths().database, log=log.info if log else print)
        try:
            yield con
        finally:
            con.close()


def resources() -> dict[str, Any]:
    from pipelines.defs.dbt.resource import LifecycleDbtResource

    return {
        "warehouse": WarehouseResource(),
        "lifecycle_settings": LifecycleSettingsResource(),
        "dbt": LifecycleDbtResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(PROFILES_DIR),
            dbt_executable=dbt_executable(),
        ),
    }
