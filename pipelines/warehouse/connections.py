"""Connections to the warehouse database: one transaction helper, and one writer at a time.

DuckDB lets one process write a database file. Two runs (a UI run and a CLI run) would otherwise
collide with `Could not set lock on file`; instead every writer takes `<warehouse>/.writer.lock` and
waits its turn, saying whom it waits for. A reader holding the file open (a BI tool that should read
the exports) makes a writer retry for a while and then fail with a message that says what to do.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from pipelines.config.engine import EngineSettings, engine_settings
from pipelines.warehouse.sql import lit
from pipelines.errors import Refused

LOCK_FILE = ".writer.lock"
POLL_SECONDS = 0.5


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back when it raises (or is interrupted)."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def fill_days(con: duckdb.DuckDBPyConnection, days: list[date], days_table: str) -> None:
    """A temp table `days_table (d date)` holding `days`: SQL filters arrival days by joining to it."""
    # one bound list, unnested: executemany would insert (and cost) a statement per day
    con.execute(
        f"create or replace temp table {days_table} as select unnest($days::date[]) as d", {"days": days}
    )


class WarehouseBusy(Refused):
    """Another process holds the warehouse for longer than this writer may wait."""


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return "another process"
    return f"process {info.get('pid', '?')} ({info.get('what', 'a writer')}, since {info.get('since', '?')})"


@contextmanager
def writer_lock(
    root: Path,
    what: str,
    wait_seconds: float = 3600.0,
    log: Callable[[str], None] = print,
    lock_file: str = LOCK_FILE,
) -> Iterator[None]:
    """Hold the warehouse's writer lock (or the lock named `lock_file`); waits (and says so) while another
    process holds it. The kernel releases it when its process dies, however it died."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / lock_file
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    log(f"waiting for {_holder(path)}: it holds the warehouse's {path.name.strip('.')}")
                    told = True
                if time.monotonic() > deadline:
                    raise WarehouseBusy(
                        f"the warehouse {root} is still being written by {_holder(path)} after "
                        f"{wait_seconds:.0f}s; try again when that run has finished"
                    ) from None
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps({"pid": os.getpid(), "what": what, "since": time.strftime("%Y-%m-%d %H:%M:%S")})
        )
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def apply_engine_settings(con: duckdb.DuckDBPyConnection, settings: EngineSettings) -> None:
    """Memory limit, threads and spill directory on this connection."""
    # SET takes no bound parameters; every value was validated by engine_settings()
    con.execute(f"set memory_limit = {lit(settings.memory_limit)}")
    con.execute(f"set threads = {settings.threads:d}")
    con.execute(f"set temp_directory = {lit(str(settings.temp_directory))}")


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def connect_writer(
    database: Path, wait_seconds: float = 60.0, log: Callable[[str], None] = print
) -> duckdb.DuckDBPyConnection:
    """A read-write connection with the engine settings (pipelines/config/engine.py); retries while another
    process (a reader) holds the file open."""
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            con = duckdb.connect(str(database))
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() > deadline:
                raise WarehouseBusy(
                    f"{database} is held open by another process ({str(exc).splitlines()[0]}). "
                    "Close tools that keep the working database open: BI tools read the exports."
                ) from None
            if not told:
                log(f"waiting for {database}: another process holds it open")
                told = True
            time.sleep(POLL_SECONDS)
            continue
        con.execute("set timezone = 'UTC'")
        apply_engine_settings(con, engine_settings(database.parent))
        return con
