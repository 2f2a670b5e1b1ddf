"""Publish every mart after a successful build, so BI tools never open the working database.

Each mart becomes `<warehouse>/exports/<mart>.parquet`, and all of them one DuckDB file,
`<warehouse>/serving.duckdb`. Every file is written under a temporary name and then renamed over the old
one: a reader sees the old or the new state, never a mix, and a reader holding the old file open keeps
reading it (the rename does not touch the open file) and never blocks a load. Both carry a stamp of the
build: the settings it used, its as-of date and when it was published.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.raw.sql import ident

MARTS_SCHEMA = "marts"
SERVING_FILE = "serving.duckdb"
STAMP_TABLE = "build_info"  # in the serving file, schema main: one row per stamp key
STAMP_KEY = b"lifecycle.build"  # in each Parquet file's metadata: the stamp as JSON
AS_OF_TABLE = "intermediate.int_as_of_date_resolved"  # the date the build evaluated stages at


@dataclass(frozen=True)
class Published:
    marts: dict[str, int]  # mart -> rows
    exports: Path
    serving_file: Path


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _select_mart(name: str) -> str:
    return f"select * from {ident(MARTS_SCHEMA)}.{ident(name)}"


def temporary_name(path: Path) -> Path:
    """Where `path` is written before the rename: hidden, beside it (same file system), unique per process."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_parquet(reader: pa.RecordBatchReader, target: Path, stamp: bytes | None = None) -> int:
    """Stream `reader` into `target` under a temporary name, then rename it over `target`; rows written."""
    extra = {STAMP_KEY: stamp} if stamp is not None else {}
    schema = reader.schema.with_metadata({**(reader.schema.metadata or {}), **extra})
    temporary = temporary_name(target)
    rows = 0
    with pq.ParquetWriter(temporary, schema) as writer:
        for batch in reader:
            writer.write_batch(batch.replace_schema_metadata(schema.metadata))
            rows += batch.num_rows
    os.replace(temporary, target)
    return rows


def publish(database: Path, exports: Path, serving_file: Path, stamp: Mapping[str, object]) -> Published:
    """Export every table of schema marts from `database` and replace the serving file atomically."""
    exports.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    serving_temporary = temporary_name(serving_file)
    serving_temporary.unlink(missing_ok=True)
    source = duckdb.connect(str(database), read_only=True)
    serving = duckdb.connect(str(serving_temporary))
    try:
        as_of = source.execute(f"select max(as_of_date) from {AS_OF_TABLE}").fetchone()
        built = {"as_of": as_of[0] if as_of else None, "published_at": datetime.now(UTC).isoformat()}
        stamp_json = json.dumps({**stamp, **built}, default=str)
        serving.execute(f"create schema {ident(MARTS_SCHEMA)}")
        for name in mart_tables(source):
            parquet = exports / f"{name}.parquet"
            counts[name] = write_parquet(
                source.execute(_select_mart(name)).to_arrow_reader(), parquet, stamp_json.encode()
            )
            # the serving copy is read back from the export just written: one extract, two files
            serving.execute(
                f"create table {ident(MARTS_SCHEMA)}.{ident(name)} as select * from read_parquet(?)",
                [str(parquet)],
            )
        serving.execute(f"create table {ident(STAMP_TABLE)} (key varchar, value varchar)")
        serving.executemany(
            f"insert into {ident(STAMP_TABLE)} values (?, ?)",
            [(k, str(v)) for k, v in json.loads(stamp_json).items()],
        )
        serving.execute("checkpoint")
    finally:
        serving.close()
        source.close()
    os.replace(serving_temporary, serving_file)
    return Published(counts, exports, serving_file)
