"""Comparing raw layers table for table, ignoring the columns that record when and in which load a row
arrived (wall clock, load id): they differ between load orders by design."""

from __future__ import annotations

import duckdb

from pipelines.contract import STREAMS
from pipelines.raw.tables import events_table, received_table

# the audit's file_stat holds the file's own times: a copy of a landing folder has others
WALL_CLOCK_COLUMNS = {
    "raw.ingest_batches": ["started_at", "finished_at", "file_stat"],
    "raw.quarantine": ["ingested_at"],
}


def raw_tables() -> list[str]:
    streams = list(STREAMS.values())
    return (
        [events_table(s) for s in streams]
        + [received_table(s) for s in streams]
        + ["raw.quarantine", "raw.ingest_batches"]
    )


def checksums(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Order-independent digest of every raw table."""
    result = {}
    for table in raw_tables():
        drop = ", ".join(WALL_CLOCK_COLUMNS.get(table, ["ingested_at", "load_id"]))
        result[table] = con.execute(
            f"select count(*) || ':' || coalesce(md5(string_agg(r, '|' order by r)), '') "
            f"from (select cast(t as varchar) as r from (select * exclude ({drop}) from {table}) t)"
        ).fetchone()[0]
    return result
