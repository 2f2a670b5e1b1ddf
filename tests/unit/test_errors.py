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


def test_every_expected_failure_derives_from_one_base():
    from pipelines.errors import LifecycleError
    from pipelines.finance.closing import CloseRefused
    from pipelines.imports.csv_export import ImportRejected
    from pipelines.raw.fx import FxRatesError
    from pipelines.raw.tables import OldRawLayout
    from pipelines.serving.publish import EmptyBuildRefused
    from pipelines.spark.session import SparkUnavailable
    from pipelines.warehouse.connections import WarehouseBusy

    kinds = (CloseRefused, ImportRejected, FxRatesError, OldRawLayout, EmptyBuildRefused, WarehouseBusy)
    assert all(issubclass(kind, LifecycleError) for kind in (*kinds, SparkUnavailable))


def test_a_bad_setting_is_one_line_without_a_stack_trace(capsys):
    from pipelines.cli import main

    assert main(["run", "--var", "lost_after_days=0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lifecycle run: error: setting lost_after_days")
    assert "Traceback" not in err


def test_a_fault_of_the_pipeline_prints_its_cause_and_keeps_the_stack_trace_in_a_file(
    tmp_path, monkeypatch, capsys
):
    from pipelines.cli import main

    def broken(paths):
        raise KeyError("no_such_column")

    monkeypatch.setattr("pipelines.serving.status.warehouse_status", broken)
    assert main(["status", "--warehouse", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("lifecycle status: unexpected error: KeyError: 'no_such_column'")
    assert "Traceback" not in err
    (trace,) = (tmp_path / "logs").glob("lifecycle-status-*.trace")
    assert trace.name in err
    assert "Traceback" in trace.read_text()
    assert "in broken" in trace.read_text()
