"""A full disk is named by the path whose device filled up, whichever engine hit it."""

from __future__ import annotations

import errno
import sqlite3

import duckdb

from pipelines.errors import is_no_space, no_space


def test_a_full_disk_is_recognised_from_sqlite_duckdb_and_the_os():
    assert is_no_space(sqlite3.OperationalError("database or disk is full"))
    assert is_no_space(sqlite3.OperationalError("disk I/O error"))
    assert is_no_space(OSError(errno.ENOSPC, "No space left on device"))
    assert is_no_space(duckdb.IOException('IO Error: Could not write file "x.wal": No space left on device'))
    wrapped = RuntimeError("storage failed")
    wrapped.__cause__ = sqlite3.OperationalError("database or disk is full")
    assert is_no_space(wrapped)
    assert not is_no_space(ValueError("not a decimal number"))
    assert not is_no_space(OSError(errno.ENOENT, "No such file or directory"))


def test_the_message_names_the_fullest_of_the_places_written(tmp_path, monkeypatch):
    full, roomy = tmp_path / "history", tmp_path / "warehouse" / "lifecycle.duckdb"
    full.mkdir()
    free = {str(full): 0, str(tmp_path / "warehouse"): 2**30, str(tmp_path): 2**30}

    class Usage:
        def __init__(self, path):
            self.free = free[str(path)]

    monkeypatch.setattr("pipelines.errors.shutil.disk_usage", Usage)
    message = str(no_space(sqlite3.OperationalError("disk I/O error"), [roomy, full]))
    assert message.startswith(f"no space left on the device holding {full} (0.0 MiB free)")
    assert "disk I/O error" in message
