"""The Dagster writer slot across runs: free the slot of a run whose process is gone, and wait for a live
holder in a way a person can see and stop.

Every DuckDB writer step runs in the pool `duckdb_writer` of size 1 (pipelines/runs/instance.py). Dagster
records a claimed slot in the instance's storage and frees it when the step ends; a run killed with
SIGKILL, or one that crashed on a full disk, never ends, so its slot stays claimed and every later run
waited forever inside Dagster, silently and deaf to SIGINT and SIGTERM. Each event Dagster stores names
the process that wrote it: a run is alive while one of the processes that started it or its steps is
still running (and is not a later process that reused the number). A dead holder's slot is freed and its
run marked failed, with one line saying so. The instance's SQLite storage lives on this machine, so the
processes it names are this machine's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster import DagsterInstance

WRITER_POOL = "duckdb_writer"  # every DuckDB writer step; the instance limits it to one at a time
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class SlotHolder:
    run_id: str
    pids: tuple[int, ...]  # the processes that started the run or its steps
    since: float  # when the run's first of them started (epoch seconds)
    alive: bool

    def describe(self) -> str:
        processes = ", ".join(str(p) for p in self.pids) or "unknown"
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return f"run {self.run_id} (process {processes}, since {since})"


def _boot_time() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def _started_at(pid: int) -> float | None:
    """When process `pid` started (epoch seconds), where /proc tells."""
    boot = _boot_time()
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if boot is None:
        return None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time in clock ticks


def process_alive(pid: int, seen_at: float) -> bool:
    """Whether the process that wrote an event at `seen_at` still runs (not a later one with its number)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    started = _started_at(pid)
    return started is None or started <= seen_at + 1.0


def _run_processes(instance: DagsterInstance, run_id: str) -> list[tuple[int, float]]:
    from dagster import DagsterEventType

    kinds = {DagsterEventType.RUN_START, DagsterEventType.STEP_START}
    records = instance.get_records_for_run(run_id, of_type=kinds).records
    found = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is not None and event.pid is not None:
            found.append((event.pid, record.event_log_entry.timestamp))
    return found


def slot_holders(instance: DagsterInstance, pool: str = WRITER_POOL) -> list[SlotHolder]:
    """The runs holding (or assigned) a slot of `pool`, each with whether its process still runs."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    run_ids = sorted({slot.run_id for slot in info.claimed_slots} | info.assigned_run_ids)
    holders = []
    for run_id in run_ids:
        processes = _run_processes(instance, run_id)
        run = instance.get_run_by_id(run_id)
        finished = run is None or run.is_finished
        # a run with no recorded process yet is taken as alive: it is starting
        alive = not finished and (not processes or any(process_alive(p, t) for p, t in processes))
        since = min((t for _, t in processes), default=time.time())
        holders.append(SlotHolder(run_id, tuple(sorted({p for p, _ in processes})), since, alive))
    return holders


def release_dead_holders(
    instance: DagsterInstance, log: Callable[[str], None], pool: str = WRITER_POOL
) -> int:
    """Free the slots of runs whose processes are gone and mark those runs failed; how many were freed."""
    freed = 0
    for holder in slot_holders(instance, pool):
        if holder.alive:
            continue
        instance.event_log_storage.free_concurrency_slots_for_run(holder.run_id)
        run = instance.get_run_by_id(holder.run_id)
        if run is not None and not run.is_finished:
            instance.report_run_failed(
                run, message=f"its process ({', '.join(map(str, holder.pids)) or 'unknown'}) is gone"
            )
        log(
            f"freed the warehouse writer slot held by {holder.describe()}: that process is gone "
            "(killed or crashed); the run is marked failed"
        )
        freed += 1
    return freed


def wait_for_writer_slot(
    instance: DagsterInstance, log: Callable[[str], None], pool: str = WRITER_POOL, poll: float = POLL_SECONDS
) -> None:
    """Return when no live run holds a slot of `pool`, freeing dead holders' slots on the way; say whom
    it waits for. A plain sleep loop: SIGINT and SIGTERM stop it at once."""
    told: str | None = None
    while True:
        release_dead_holders(instance, log, pool)
        live = [h for h in slot_holders(instance, pool) if h.alive]
        if not live:
            return
        if told != live[0].run_id:
            log(f"waiting for the warehouse writer slot: held by {live[0].describe()}")
            told = live[0].run_id
        time.sleep(poll)
