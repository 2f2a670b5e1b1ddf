"""Load landing days of one stream into the raw layer: validated, deduplicated, audited, atomic.

A call loads a list of arrival days in transactions of whole days, as many as fit a budget of file bytes
(a commit costs a WAL write and a table-wide pass per batch: 31-day transactions took 2.3x as long as
one per year on a 3-year backfill). Each transaction replaces what earlier
loads of those days left in the received log, then re-derives the stored events, conflicts and audit
counts of every event_id those days held before or hold now (see `writing`). The stored copy of an event
is the first in knowledge order (arrival day, file name, row) whichever days were loaded first, so
re-runs, runs killed half way, and loads in any order all end in the state of one in-order load.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.config.engine import size_bytes
from pipelines.contract import STREAMS, StreamSchema
from pipelines.errors import ConfigError
from pipelines.raw import writing
from pipelines.raw.changes import DayFiles, changed_days, file_stat, loaded_files
from pipelines.raw.reading import read_file
from pipelines.raw.staging import StagedFile, stage_and_check
from pipelines.raw.tables import create_raw_tables
from pipelines.warehouse.connections import fill_days, transaction

DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Temp tables of one load, named once here and passed to every function that uses them.
CHECKED, DAYS = "_load_checked", "_load_days"
TOUCHED, COPIES = "_load_touched", "_load_copies"


@dataclass
class LoadSummary:
    stream: str
    days: int = 0
    files: int = 0
    unreadable_files: int = 0
    rows_read: int = 0
    rows_accepted: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    unreadable: list[str] = field(default_factory=list)


def landed_days(
    landing: Path, stream: str, first: date | None = None, last: date | None = None
) -> list[date]:
    """Arrival days that have a landing folder for `stream`, optionally within [first, last]."""
    folder = landing / stream
    if not folder.is_dir():
        return []
    days = sorted(
        date.fromisoformat(p.name) for p in folder.iterdir() if p.is_dir() and DAY_FOLDER.match(p.name)
    )
    return [d for d in days if (first is None or d >= first) and (last is None or d <= last)]


def loaded_days(con: duckdb.DuckDBPyConnection, stream: str, first: date, last: date) -> list[date]:
    """Arrival days the raw layer holds for `stream` within [first, last] (a folder may have gone since)."""
    create_raw_tables(con)
    rows = con.execute(
        "select distinct arrival_date from raw.ingest_batches "
        "where stream = $s and arrival_date between $a and $b",
        {"s": stream, "a": first, "b": last},
    ).fetchall()
    return sorted(r[0] for r in rows)


def day_files(landing: Path, stream: str, day: date) -> list[Path]:
    """Entries of one arrival day, in name order; hidden ones (uploads in progress) are not yet landed.
    Every other entry is listed, links, directories and devices too: reading refuses those with an audit
    row (`reading.read_file`), so nothing in a landing folder goes unrecorded."""
    folder = landing / stream / day.isoformat()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def landed_files(landing: Path, stream: str) -> dict[date, DayFiles]:
    """Every landed day of `stream` with its files and their stats, listed as a load lists them."""
    return {
        day: {str(p.relative_to(landing)): file_stat(p) for p in day_files(landing, stream, day)}
        for day in landed_days(landing, stream)
    }


def changed_landed_days(con: duckdb.DuckDBPyConnection, landing: Path) -> list[date]:
    """Arrival days of any stream whose files changed since their last load (`pipelines/raw/changes.py`):
    what a run over every landed day, or the sensor's first look, has to load."""
    return sorted(
        {day for s in STREAMS for day in changed_days(landed_files(landing, s), loaded_files(con, s))}
    )


def changed_since_loaded(database: Path, landing: Path) -> list[date]:
    """`changed_landed_days` read on a read-only connection (every landed day without a database)."""
    if not database.exists():
        return sorted({day for stream in STREAMS for day in landed_days(landing, stream)})
    with duckdb.connect(str(database), read_only=True) as con:
        return changed_landed_days(con, landing)


def read_days(landing: Path, schema: StreamSchema, days: list[date]) -> list[StagedFile]:
    """The batch's files, Parquet rows deferred to DuckDB's reader: reading them one by one into Arrow
    was a quarter of a load, and reading on a thread per core was no faster."""
    staged = []
    for day in days:
        for path in day_files(landing, schema.name, day):
            listed = file_stat(path)  # before reading: a file rewritten meanwhile counts as changed
            read = read_file(path, schema, defer_parquet_rows=True)
            staged.append(StagedFile(day, str(path.relative_to(landing)), read, listed))
    return staged


def load_batch(con: duckdb.DuckDBPyConnection, landing: Path, schema: StreamSchema, days: list[date]) -> None:
    """Load whole arrival days in one transaction."""
    started = time.time()
    # Checking only touches temp tables, so it runs before the transaction.
    files = stage_and_check(con, schema, read_days(landing, schema, days), CHECKED)
    fill_days(con, days, DAYS)
    with transaction(con):
        load_id = writing.next_load_id(con)
        writing.collect_touched_ids(con, schema, CHECKED, DAYS, TOUCHED)
        writing.delete_days(con, schema, DAYS)
        writing.append_received(con, schema, CHECKED, load_id)
        writing.write_invalid(con, schema, CHECKED)
        writing.collect_copies(con, schema, TOUCHED, COPIES)
        writing.record_account_changes(con, schema, TOUCHED, COPIES, load_id)
        writing.refresh_events(con, schema, TOUCHED, COPIES)
        writing.refresh_conflicts(con, schema, TOUCHED, COPIES)
        writing.write_file_audit(con, schema, files, CHECKED, started)
        writing.refresh_outcomes(con, schema, COPIES)
    for table in (CHECKED, TOUCHED, COPIES):
        con.execute(f"drop table if exists {table}")


def summarise(con: duckdb.DuckDBPyConnection, stream: str, days: list[date], seconds: float) -> LoadSummary:
    """Totals of the given days as the audit holds them now."""
    fill_days(con, days, DAYS)
    counts = con.execute(
        f"""
        select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0),
               coalesce(sum(rows_duplicate), 0), coalesce(sum(rows_quarantined), 0)
        from raw.ingest_batches where stream = $s and arrival_date in (select d from {DAYS})""",
        {"s": stream},
    ).fetchone()
    assert counts is not None
    unreadable = [
        r[0]
        for r in con.execute(
            f"select source_file from raw.ingest_batches where stream = $s and status = 'unreadable' "
            f"and arrival_date in (select d from {DAYS}) order by source_file",
            {"s": stream},
        ).fetchall()
    ]
    return LoadSummary(
        stream=stream,
        days=len(days),
        files=counts[0],
        rows_read=counts[1],
        rows_accepted=counts[2],
        rows_duplicate=counts[3],
        rows_quarantined=counts[4],
        unreadable_files=len(unreadable),
        unreadable=unreadable,
        seconds=seconds,
    )


def transaction_batches(day_bytes: list[tuple[date, int]], max_days: int, max_bytes: int) -> list[list[date]]:
    """Consecutive days grouped into transactions of at most `max_days` days and, unless a single day is
    larger, at most `max_bytes` of landing files: memory stays bounded, commits stay few."""
    batches: list[list[date]] = []
    size = 0
    for day, n_bytes in day_bytes:
        if not batches or len(batches[-1]) >= max_days or size + n_bytes > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append(day)
        size += n_bytes
    return batches


# Landing bytes per load transaction when none is given: 1/32 of DuckDB's memory limit (a batch's rows
# take several times their Parquet size in memory), from 64 MiB to 1 GiB. Every transaction matches its
# event ids against the stream's whole stored history, so a backfill costs what its count of transactions
# costs: at 100M events, 64 MiB transactions spent 62% of the load in those matches.
MIN_TRANSACTION_BYTES = 64 * 2**20
MAX_TRANSACTION_BYTES = 2**30


def transaction_bytes(memory_limit: str) -> int:
    """Landing bytes per load transaction for DuckDB's memory limit as DuckDB reports it ('14.9 GiB');
    the smallest budget when it reports none it can be read from."""
    limit = size_bytes(memory_limit)
    if limit is None:
        return MIN_TRANSACTION_BYTES
    return int(min(MAX_TRANSACTION_BYTES, max(MIN_TRANSACTION_BYTES, limit / 32)))


def day_bytes(landing: Path, stream: str, day: date) -> int:
    return sum(p.lstat().st_size for p in day_files(landing, stream, day))


def load_days(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    schema: StreamSchema,
    days: Iterable[date],
    days_per_transaction: int = 366,
    bytes_per_transaction: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> LoadSummary:
    """Load the given arrival days of one stream (a day without a folder is emptied); safe to repeat.
    `bytes_per_transaction` defaults to `transaction_bytes` of the connection's memory limit."""
    if bytes_per_transaction is None:
        [(memory_limit,)] = con.execute("select current_setting('memory_limit')").fetchall()
        bytes_per_transaction = transaction_bytes(str(memory_limit))
    if days_per_transaction < 1 or bytes_per_transaction < 1:
        raise ConfigError(
            f"days_per_transaction and bytes_per_transaction must be at least 1, got "
            f"{days_per_transaction} and {bytes_per_transaction}"
        )
    began = time.time()
    con.execute("set timezone = 'UTC'")
    create_raw_tables(con)
    ordered = sorted(set(days))
    sized = [(day, day_bytes(landing, schema.name, day)) for day in ordered]
    done = 0
    for batch in transaction_batches(sized, days_per_transaction, bytes_per_transaction):
        load_batch(con, landing, schema, batch)
        done += len(batch)
        if on_progress:
            on_progress(done, len(ordered))
    return summarise(con, schema.name, ordered, time.time() - began)
