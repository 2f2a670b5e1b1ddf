"""One writer at a time across processes: the second waits with a message instead of failing."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.connections import WarehouseBusy, connect_writer, writer_lock

HOLD_OPEN = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_open(database: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process (a BI tool) holding the database file open for reading."""
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(database), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert reader.stdout is not None
    assert reader.stdout.readline().strip() == "open"
    return reader


def test_a_second_writer_waits_for_the_first_and_says_whom_it_waits_for(tmp_path):
    messages: list[str] = []
    order: list[str] = []
    released = threading.Event()

    def first() -> None:
        with writer_lock(tmp_path, "ui run"):
            order.append("first in")
            released.wait(5)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    while not order:
        time.sleep(0.01)
    threading.Timer(0.8, released.set).start()
    with writer_lock(tmp_path, "cli run", log=messages.append):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]
    assert len(messages) == 1
    assert "waiting for process" in messages[0]
    assert "it holds the warehouse's writer.lock" in messages[0]
    assert "ui run" in messages[0]


def test_a_writer_that_cannot_wait_longer_says_so(tmp_path):
    impatient = writer_lock(tmp_path, "impatient", wait_seconds=0.2, log=lambda _: None)
    with writer_lock(tmp_path, "long run"), pytest.raises(WarehouseBusy, match="still being written by"):
        impatient.__enter__()


def test_a_writer_retries_while_a_reader_process_holds_the_file(tmp_path):
    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()
    reader = hold_open(database, 1.5)
    messages: list[str] = []
    con = connect_writer(database, wait_seconds=30, log=messages.append)
    con.execute("create table t as select 1 as x")
    con.close()
    reader.wait()
    assert messages
    assert "another process holds it open" in messages[0]
    reader = hold_open(database, 3)
    with pytest.raises(WarehouseBusy, match="BI tools read the exports"):
        connect_writer(database, wait_seconds=0.5, log=lambda _: None)
    reader.wait()
