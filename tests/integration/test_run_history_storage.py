"""A range run's materializations, written in one transaction per database (pipelines/runs/storage.py),
and its planned asset checks, written with their event serialized once, leave the run history exactly as
Dagster's own storage leaves it: the same events, partitions, metadata, tags, latest materialization and
check executions, on the recorded instance (SQLite files) and on the one in memory.

No `from __future__ import annotations` here: Dagster inspects the asset's context annotation."""

from collections.abc import Callable
from datetime import date
from typing import Any

import dagster as dg
import pytest
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, AssetKeyTable
from dagster._serdes import deserialize_value
from sqlalchemy import select

from pipelines.config.paths import WarehousePaths
from pipelines.defs.ingest.triggers import range_tags
from pipelines.runs.instance import CONFIG_FILE, INSTANCE_CONFIG, range_events_at_once, recorded_instance
from pipelines.runs.storage import (
    BatchingInMemoryEventLogStorage,
    BatchingSqliteEventLogStorage,
    ephemeral_instance,
)

pytestmark = pytest.mark.integration

DAYS = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01")
KEY = dg.AssetKey(["raw", "daily"])


@dg.asset(key=KEY, partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})


CHECKED = dg.AssetKey(["marts", "checked"])


@dg.asset(key=CHECKED, deps=[KEY], check_specs=[dg.AssetCheckSpec("holds", asset=CHECKED)])
def checked() -> dg.MaterializeResult:
    """Unpartitioned and checked, as the dbt models and their tests are."""
    return dg.MaterializeResult(check_results=[dg.AssetCheckResult(check_name="holds", passed=True)])


def run_a_range(instance: dg.DagsterInstance) -> None:
    """A run over 2024-01-01..2024-03-31 (91 partitions), as `lifecycle run` starts one."""
    job = dg.Definitions(
        assets=[daily, checked], jobs=[dg.define_asset_job("range", [daily, checked])]
    ).resolve_job_def("range")
    tags = range_tags(date(2024, 1, 1), date(2024, 3, 31))
    with range_events_at_once():
        assert job.execute_in_process(instance=instance, tags=tags).success


def history(instance: dg.DagsterInstance) -> dict[str, Any]:
    """What the UI reads of the asset, without ids and times."""
    records = instance.fetch_materializations(KEY, limit=1000).records
    tags = instance.get_event_tags_for_asset(KEY)
    last = instance.get_asset_records([KEY])[0].asset_entry.last_materialization_record
    with instance.event_log_storage.index_connection() as conn:  # the asset's row, which Dagster keeps
        [row] = conn.execute(
            select(AssetKeyTable.c.last_materialization, AssetKeyTable.c.last_run_id).where(
                AssetKeyTable.c.asset_key == KEY.to_string()
            )
        ).fetchall()
        checks = conn.execute(
            select(
                AssetCheckExecutionsTable.c.partition,
                AssetCheckExecutionsTable.c.execution_status,
                AssetCheckExecutionsTable.c.evaluation_event,
            ).where(AssetCheckExecutionsTable.c.asset_key == CHECKED.to_string())
        ).fetchall()
    return {
        "asset row": (deserialize_value(row[0]).partition_key, row[1] == records[0].run_id),
        "check executions": sorted(
            (c[0] or "", c[1], str(deserialize_value(c[2]).dagster_event_type)) for c in checks
        ),
        "partitions": sorted(instance.get_materialized_partitions(KEY)),
        "events": sorted(
            (r.partition_key, dict(r.asset_materialization.metadata), r.event_log_entry.step_key)
            for r in records
        ),
        "tags": sorted(sorted((k, v) for k, v in t.items() if k != "dagster/data_version") for t in tags),
        "last": (last.partition_key, last.run_id == records[0].run_id) if last else None,
        "event types": sorted(
            (str(e.dagster_event_type), e.dagster_event.partition or "")
            for e in instance.all_logs(records[0].run_id)
            if e.is_dagster_event
        ),
    }


def batches_of(storage: type, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[int]]:
    sizes: list[int] = []
    store = storage.store_event_batch

    def counted(self: Any, events: Any) -> None:
        sizes.append(len(events))
        store(self, events)

    monkeypatch.setattr(storage, "store_event_batch", counted)
    return lambda: sizes


def test_the_recorded_history_of_a_range_run_is_the_one_dagsters_storage_writes(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    # Dagster's own SQLite storage: a configuration naming it (a storage of the user's choice is kept)
    own = WarehousePaths(root=tmp_path / "own")
    (own.root / "dagster").mkdir(parents=True)
    runs = own.root / "dagster" / "history" / "runs"
    (own.root / "dagster" / CONFIG_FILE).write_text(
        f"{INSTANCE_CONFIG}event_log_storage:\n  module: dagster._core.storage.event_log\n"
        f"  class: SqliteEventLogStorage\n  config:\n    base_dir: {runs}\n"
    )
    batches = batches_of(BatchingSqliteEventLogStorage, monkeypatch)
    with recorded_instance(own) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        run_a_range(instance)
        expected = history(instance)
    assert batches() == []

    batched = WarehousePaths(root=tmp_path / "batched")
    with recorded_instance(batched) as instance:
        assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
        run_a_range(instance)
        assert history(instance) == expected
    # the range's materializations in one batch; the checked asset's materialization and check in another
    assert sorted(batches()) == [3, 91]
    assert len(expected["partitions"]) == 91
    # as Dagster stores them: the check planned for each day of the range, and its one evaluation
    assert [c[1] for c in expected["check executions"]].count("PLANNED") == 91
    assert len(expected["check executions"]) == 92
    assert expected["last"] == ("2024-03-31", True)
    # the history outlives the process: a new instance on the same files (the UI's) reads it whole
    with dg.DagsterInstance.from_config(str(batched.root / "dagster")) as instance:
        assert history(instance) == expected


def test_the_history_in_memory_of_a_range_run_is_the_one_dagsters_storage_keeps(monkeypatch):
    batches = batches_of(BatchingInMemoryEventLogStorage, monkeypatch)
    with dg.DagsterInstance.ephemeral() as instance:
        run_a_range(instance)
        expected = history(instance)
    with ephemeral_instance() as instance:
        run_a_range(instance)
        assert history(instance) == expected
    assert sorted(batches()) == [3, 91]
