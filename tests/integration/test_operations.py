"""Surviving operations: a run killed with SIGKILL, a full disk under the run history and a run waiting on
another never leave the pipeline stuck or wrong. Each fault is injected at a named point of a real
`lifecycle run` process (its whole process group is killed, dbt included); the next plain run must
complete without hand repair, its raw tables equal a clean load of the same landing files, and
`lifecycle reconcile` must find every model equal to a rebuild from scratch."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipelines.cli import main
from pipelines.runner import RUN_LOCK_FILE
from tests.support.operations import (
    clean_raw_checksums,
    kill_when,
    land_business,
    raw_checksums,
    start,
)

RUN_TIMEOUT = 300  # seconds: a run that waits for a dead run's slot never ends; this one fails instead
IN_INGEST, IN_DBT = (
    "load sales_events ...",
    "OK created sql incremental model intermediate.int_stage_timeline_evaluated",
)


def run_to_end(args: list[str], output: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = start(args, output, env)
    try:
        code = process.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(  # noqa: B904 (the timeout itself says nothing)
            f"`lifecycle {' '.join(args)}` hung:\n{output.read_text(errors='replace')[-3000:]}"
        )
    return code, output.read_text(encoding="utf-8", errors="replace")


HOLD = (
    "import sys, time; from pathlib import Path; from pipelines.warehouse.connections import writer_lock\n"
    "with writer_lock(Path(sys.argv[1]), sys.argv[2], lock_file=sys.argv[3]):\n"
    "    print('held', flush=True); time.sleep(600)"
)


@contextlib.contextmanager
def holding_the_run_lock(root: Path, what: str) -> Iterator[subprocess.Popen]:
    """A process that holds the warehouse's run lock, as a run does, until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), what, RUN_LOCK_FILE], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=30)


def run_statuses(home: Path) -> list[str]:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        return [run.status.value for run in reversed(instance.get_runs())]


def ingest_bookkeeping(home: Path) -> tuple[int, set[str]]:
    """The planned-materialization events of the sales ingest asset, and its materialized partitions."""
    from dagster import DagsterInstance

    from pipelines.defs.ingest.assets import raw_key

    key = raw_key("sales")
    with DagsterInstance.from_config(str(home)) as instance:
        planned = instance.fetch_planned_materializations(key, limit=10_000).records
        return len(planned), set(instance.get_materialized_partitions(key))


def last_plan(warehouse) -> str:
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        return con.execute(
            "select reason from intermediate.int_builds_completed order by completed_at desc limit 1"
        ).fetchone()[0]


def wait_for(output: Path, text: str, process: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while text not in output.read_text(errors="replace"):
        assert process.poll() is None, output.read_text(errors="replace")
        assert time.monotonic() < deadline, output.read_text(errors="replace")
        time.sleep(0.05)


@contextlib.contextmanager
def small_tmpfs(folder: Path) -> Iterator[Path | None]:
    """A mounted 64 MiB tmpfs, where one is allowed (root): a real disk that can be filled."""
    folder.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], capture_output=True
    )
    try:
        yield folder if made.returncode == 0 else None
    finally:
        if made.returncode == 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(device: Path) -> Path:
    filler = device / "filler"
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 2**20)
            handle.flush()
    return filler


def test_kills_a_full_disk_and_a_waiting_run_leave_nothing_stuck_or_wrong(
    warehouse, tmp_path, monkeypatch, capsys
):
    land_business(warehouse.landing)
    with small_tmpfs(tmp_path / "history") as device:
        if device is not None:
            monkeypatch.setenv("DAGSTER_HOME", str(device))  # the run history on a disk that fills up
        assert main(["run", "--quiet"]) == 0  # a clean build with the default settings, recorded
        # seven months of arrival days in one run: the history records its plan once per ingest asset (it
        # wrote an event per day and asset), and still shows every day of the range loaded
        home = Path(os.environ.get("DAGSTER_HOME", warehouse.root / "dagster"))
        planned, loaded = ingest_bookkeeping(home)
        assert planned == 1
        first, last = date(2024, 3, 6), date(2024, 10, 2)
        assert loaded == {str(first + timedelta(days=n)) for n in range((last - first).days + 1)}

        if device is not None:
            # the run history's device is full: a raw `sqlite3.OperationalError: disk I/O error` traceback
            filler = fill(device)
            code, out = run_to_end(["run", "--quiet"], tmp_path / "full.log")
            assert code != 0
            assert f"no space left on the device holding {device}" in out
            assert "Traceback" not in out
            filler.unlink()

        # killed while loading (the days named: a plain run loads only days changed since their load):
        # its run kept the writer slot, and every later run waited forever, silently
        killed = start(["run", "--start", first.isoformat()], tmp_path / "ingest.log")
        kill_when(killed, tmp_path / "ingest.log", IN_INGEST)
        # killed right after dbt rewrote every account's stage timeline under lost_after_days=180: the next
        # plain build compared settings with the last completed build only, and kept those rows
        killed = start(["run", "--var", "lost_after_days=180"], tmp_path / "dbt.log")
        kill_when(killed, tmp_path / "dbt.log", IN_DBT)
        assert "freed the warehouse writer slot held by run" in (tmp_path / "dbt.log").read_text()

        plain = start(["run", "--quiet"], tmp_path / "plain.log")
        wait_for(tmp_path / "plain.log", "freed the warehouse writer slot held by run", plain)
        assert plain.wait(timeout=RUN_TIMEOUT) == 0, (tmp_path / "plain.log").read_text()
        assert "result: ok" in (tmp_path / "plain.log").read_text()
        statuses = run_statuses(home)
        assert statuses[0] == "SUCCESS"
        assert statuses[-1] == "SUCCESS"
        assert "STARTED" not in statuses  # every killed or crashed run is marked failed
        assert last_plan(warehouse).startswith("a build that stopped part way")
        assert raw_checksums(warehouse.database) == clean_raw_checksums(warehouse.landing)
        capsys.readouterr()
        assert main(["reconcile"]) == 0
        assert "equal:" in capsys.readouterr().out

        # a run started while another holds the warehouse waits: it used to spin at 75% CPU in Dagster,
        # silent, deaf to both signals (held by a process of the test's own, so the holder cannot finish
        # while the waiting run is signalled)
        with holding_the_run_lock(warehouse.root, "lifecycle run held-by-the-test") as holder:
            for signo in (signal.SIGTERM, signal.SIGINT):
                output = tmp_path / f"waiting-{signo.name}.log"
                waiting = start(["run"], output)
                wait_for(output, f"waiting for process {holder.pid} (lifecycle run held-by-the-test", waiting)
                waiting.send_signal(signo)
                assert waiting.wait(timeout=10) != 0
