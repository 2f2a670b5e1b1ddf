"""The Dagster instance that keeps the runs, so the UI shows what `lifecycle run` did.

It lives with the warehouse it describes, `<warehouse>/dagster`, unless $DAGSTER_HOME names another
directory. Its configuration is written here when the directory has none: the `duckdb_writer` pool holds
one step at a time (DuckDB allows one writer process per file) and telemetry is off.

`python -m pipelines.runs.instance` prepares the directory and prints it (`make dev` starts the UI on it).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.config.paths import WarehousePaths, warehouse_paths

if TYPE_CHECKING:
    from dagster import DagsterInstance

INSTANCE_DIR = "dagster"
CONFIG_FILE = "dagster.yaml"
INSTANCE_CONFIG = """\
# Dagster instance settings for `lifecycle run` and `make dev` (written by pipelines/runs/instance.py).
concurrency:
  pools:
    # Every DuckDB writer (ingest assets, dbt, publishing) is in the pool "duckdb_writer": DuckDB allows
    # one writer process per file, so at most one of them may run at a time across all runs.
    default_limit: 1
telemetry:
  enabled: false
"""


def dagster_home(paths: WarehousePaths) -> Path:
    home = os.environ.get("DAGSTER_HOME")
    return Path(home).expanduser().resolve() if home else paths.root / INSTANCE_DIR


def prepare_home(home: Path) -> Path:
    """Create the instance directory with its configuration; an existing configuration is kept."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / CONFIG_FILE
    if not config.exists():
        config.write_text(INSTANCE_CONFIG)
    return home


# Instance directories whose SQLite files skip the fsync per commit (see _relax_sync).
_relaxed_homes: set[str] = set()


def _relax_sync(dbapi_connection: Any, _record: Any) -> None:
    """The run history is a local, rebuildable record: its SQLite files skip the fsync per commit, which
    otherwise costs milliseconds for each of the thousands of events a multi-year backfill writes (one per
    partition and asset). A crash can lose the last events of a run, never the warehouse's data."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    files = [str(row[2]) for row in dbapi_connection.execute("pragma database_list").fetchall()]
    if any(f.startswith(home) for f in files for home in _relaxed_homes):
        dbapi_connection.execute("pragma synchronous = off")


# Dagster logs the materializations a run intends as one event per asset and partition, unless this is
# set: then once per asset, with the run's partition range. A three-year first load wrote 3,300 of them
# (a third of its run-history time). The cost, documented by Dagster: the partitions of a range run that
# fails are not marked failed (they stay missing; the run is marked failed).
PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


# Dagster hands a step's events of a partition range to the storage in batches when this is set (read
# at each event); the storages of pipelines/runs/storage.py write such a batch in one transaction.
BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"
BATCH_SIZE = "1000"  # events per batch: a few transactions for a multi-year range


@contextlib.contextmanager
def range_events_at_once() -> Iterator[None]:
    """Runs created inside log one planned event per asset for their partition range (PLANNED_EVENTS_ENV;
    Dagster reads it when it creates a run), and hand the materializations of a range to the storage in
    batches (BATCH_SIZE_ENV). `make dev` sets the first for the runs the UI and sensor start; those
    keep Dagster's own storage, which stores a batch event by event (ADR 14)."""
    before = {name: os.environ.get(name) for name in (PLANNED_EVENTS_ENV, BATCH_SIZE_ENV)}
    os.environ[PLANNED_EVENTS_ENV] = "true"
    os.environ[BATCH_SIZE_ENV] = BATCH_SIZE
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Configuration keys that choose the run history's storage (Dagster's default: SQLite files in the home)
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")


def recorded_instance(paths: WarehousePaths) -> DagsterInstance:
    """The instance of `paths`' warehouse (or $DAGSTER_HOME), prepared and with relaxed fsync. On
    Dagster's default SQLite storage, its event log is the one that writes a range run's materializations
    in one transaction (pipelines/runs/storage.py), on the same files."""
    import yaml
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    home = prepare_home(dagster_home(paths))
    _relaxed_homes.add(f"{home}{os.sep}")
    if not event.contains(Engine, "connect", _relax_sync):
        event.listen(Engine, "connect", _relax_sync)
    config = yaml.safe_load((home / CONFIG_FILE).read_text()) or {}
    if any(key in config for key in STORAGE_KEYS):  # a storage of the user's choice, as it is
        return DagsterInstance.from_config(str(home))
    events = {
        "module": "pipelines.runs.storage",
        "class": "BatchingSqliteEventLogStorage",
        "config": {"base_dir": f"{home / 'history' / 'runs'}{os.sep}"},  # where Dagster's default keeps it
    }
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides={"event_log_storage": events}))


if __name__ == "__main__":
    print(prepare_home(dagster_home(warehouse_paths())))
