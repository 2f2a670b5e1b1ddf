"""Run-history storage that records a range run's materializations in one transaction per database.

A run over a range of arrival days records one materialization per day and asset: a three-year first
load writes about 3,300 of them. Dagster's SQLite storages write each in transactions of its own (the
sharded one opens a database engine per event), which cost a third of a small three-year run. Dagster
hands a step's events of a partition range to `store_event_batch` when `DAGSTER_EVENT_BATCH_SIZE` is set
(pipelines/runs/instance.py: BATCH_SIZE_ENV), and its SQLite storages then still store them one by one.
These subclasses store such a batch as Dagster stores each of its events, in one transaction per
database. Any other batch is stored event by event, as Dagster does.

A run over a range may also plan every asset check (the dbt tests) for each day of the range: when
Dagster records the range on the run (it does when the last asset of the run's plan is partitioned, as in
a run that leaves out the serving assets), it gives a check of an unpartitioned asset the
run's partitions, and stores a row per check and day, serializing the same event again for each row in
one statement of as many values (180 checks over a 210-day range: 13 s). These storages write the same
rows with the event serialized once, in one executemany.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS, EVENT_TYPE_TO_PIPELINE_RUN_STATUS
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log import InMemoryEventLogStorage, SqliteEventLogStorage
from dagster._core.storage.event_log.base import EventLogCursor
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage
from dagster._serdes import serialize_value

if TYPE_CHECKING:
    from dagster import DagsterInstance, EventLogEntry


def _plain_asset_events(events: Sequence[EventLogEntry]) -> bool:
    """Only asset events of one run, none of which Dagster's `store_event` treats in another way too."""
    special = ASSET_CHECK_EVENTS | set(EVENT_TYPE_TO_PIPELINE_RUN_STATUS)
    return len({e.run_id for e in events}) == 1 and all(
        e.is_dagster_event
        and e.dagster_event_type in ASSET_EVENTS
        and e.dagster_event_type not in special
        and e.get_dagster_event().asset_key is not None
        for e in events
    )


def _inserted_id(result: Any) -> int:
    return int(result.inserted_primary_key[0])


def planned_check_rows(event: EventLogEntry, event_id: int | None, timestamp: Any) -> list[dict[str, Any]]:
    """The rows of asset_check_executions Dagster stores for a planned check: one per partition of the
    run (one without a partition when it has none), each with the serialized event."""
    planned = event.get_dagster_event().event_specific_data
    subset = planned.partitions_subset  # type: ignore[union-attr]
    serialized = serialize_value(event)
    return [
        {
            "asset_key": planned.asset_key.to_string(),  # type: ignore[union-attr]
            "check_name": planned.check_name,  # type: ignore[union-attr]
            "partition": partition,
            "run_id": event.run_id,
            "execution_status": AssetCheckExecutionRecordStatus.PLANNED.value,
            "evaluation_event": serialized,
            "evaluation_event_timestamp": timestamp,
            "evaluation_event_storage_id": event_id,
        }
        for partition in (subset.get_partition_keys() if subset else [None])
    ]


class _PlannedChecksAtOnce(SqlEventLogStorage):
    def _store_asset_check_evaluation_planned(self, event: EventLogEntry, event_id: int | None) -> None:
        rows = planned_check_rows(event, event_id, self._event_insert_timestamp(event))
        with self.index_connection() as conn:
            conn.execute(AssetCheckExecutionsTable.insert(), rows)


class BatchingSqliteEventLogStorage(_PlannedChecksAtOnce, SqliteEventLogStorage):
    """Dagster's SQLite storage of a recorded instance (a database per run, an index across runs)."""

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> BatchingSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        if not _plain_asset_events(events):
            super().store_event_batch(events)
            return
        statements = [self.prepare_insert_event(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            for statement in statements:
                conn.execute(statement)
        # mirrored in the index database, as SqliteEventLogStorage.store_event does
        with self.index_transaction() as conn:
            ids = [_inserted_id(conn.execute(statement)) for statement in statements]
            self._store_asset_event_tags(conn, events, ids)
            for event, event_id in zip(events, ids, strict=True):
                self._store_asset_event(conn, event, event_id)


class BatchingInMemoryEventLogStorage(_PlannedChecksAtOnce, InMemoryEventLogStorage):
    """Dagster's storage of an instance in memory (`lifecycle run --no-record`)."""

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        if not _plain_asset_events(events):
            super().store_event_batch(events)
            return
        with self.run_connection(events[0].run_id) as conn:
            ids = [_inserted_id(conn.execute(self.prepare_insert_event(event))) for event in events]
        with self.index_transaction() as conn:
            self._store_asset_event_tags(conn, events, ids)
            for event, event_id in zip(events, ids, strict=True):
                self._store_asset_event(conn, event, event_id)
        for event in events:  # what InMemoryEventLogStorage.store_event does after storing
            self._storage_id += 1
            for handler in list(self._handlers[event.run_id]):
                try:
                    handler(event, str(EventLogCursor.from_storage_id(self._storage_id)))
                except Exception:
                    logging.exception("Exception in callback for event watch on run %s.", event.run_id)


def ephemeral_instance() -> DagsterInstance:
    """`DagsterInstance.ephemeral()`, with the batching storage in memory."""
    from dagster import DagsterInstance
    from dagster._core.instance import InstanceType
    from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
    from dagster._core.run_coordinator import DefaultRunCoordinator
    from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
    from dagster._core.storage.root import TemporaryLocalArtifactStorage
    from dagster._core.storage.runs import InMemoryRunStorage

    return DagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=TemporaryLocalArtifactStorage(),
        run_storage=InMemoryRunStorage(),
        event_storage=BatchingInMemoryEventLogStorage(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
    )
