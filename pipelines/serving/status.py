"""`lifecycle status`: what the warehouse holds, read without writing anything.

Landed and loaded arrival days per stream, rows in the raw and mart tables, quarantine by reason, the
latest load and publication, and the closed months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from pipelines.config.paths import WarehousePaths
from pipelines.contract import STREAMS
from pipelines.raw.loader import landed_days
from pipelines.serving.publish import STAMP_TABLE
from pipelines.warehouse.sql import ident


@dataclass
class StreamDays:
    landed: list[date]
    loaded: list[date]

    @property
    def not_loaded(self) -> list[date]:
        return sorted(set(self.landed) - set(self.loaded))


@dataclass
class WarehouseStatus:
    streams: dict[str, StreamDays] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # schema.table -> rows
    quarantine: list[tuple[str, str, int]] = field(default_factory=list)  # stream, reason, rows
    last_load: datetime | None = None
    published: dict[str, str] = field(default_factory=dict)  # the serving file's build stamp
    closed_months: list[tuple[date, int]] = field(default_factory=list)  # month, newest version


def _tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in schemas)
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_type = 'BASE TABLE' and table_schema in ({placeholders}) order by 1, 2",
        list(schemas),
    ).fetchall()


def _loaded_days(con: duckdb.DuckDBPyConnection) -> dict[str, list[date]]:
    loaded: dict[str, list[date]] = {name: [] for name in STREAMS}
    for stream, day in con.execute(
        "select distinct stream, arrival_date from raw.ingest_batches order by 1, 2"
    ).fetchall():
        loaded.setdefault(stream, []).append(day)
    return loaded


def warehouse_status(paths: WarehousePaths) -> WarehouseStatus:
    status = WarehouseStatus()
    loaded: dict[str, list[date]] = {name: [] for name in STREAMS}
    if paths.database.exists():
        with duckdb.connect(str(paths.database), read_only=True) as con:
            tables = _tables(con, ("raw", "marts", "finance"))
            for schema, table in tables:
                count = con.execute(f"select count(*) from {ident(schema)}.{ident(table)}").fetchone()
                status.rows[f"{schema}.{table}"] = int(count[0]) if count else 0
            if ("raw", "ingest_batches") in tables:
                loaded = _loaded_days(con)
                last = con.execute("select max(finished_at) from raw.ingest_batches").fetchone()
                status.last_load = last[0] if last else None
            if ("raw", "quarantine") in tables:
                status.quarantine = con.execute(
                    "select stream, reason, count(*) from raw.quarantine group by 1, 2 order by 3 desc, 1, 2"
                ).fetchall()
            if ("finance", "month_closes") in tables:
                status.closed_months = con.execute(
                    "select month, max(version) from finance.month_closes group by month order by month"
                ).fetchall()
    for name in STREAMS:
        status.streams[name] = StreamDays(landed_days(paths.landing, name), loaded.get(name, []))
    serving = paths.serving_file
    if serving.exists():
        with duckdb.connect(str(serving), read_only=True) as con:
            status.published = dict(con.execute(f"select key, value from {ident(STAMP_TABLE)}").fetchall())
    return status
