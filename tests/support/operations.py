"""Fault injection for the operations tests: a `lifecycle` process killed with SIGKILL, with its whole
process group (dbt runs as a child), at a point named by a line of its output; comparisons with a clean
load of the same landing files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipelines.contract import STREAMS
from pipelines.raw.loader import landed_days, load_days
from tests.support.landing import SMALL_ACCOUNT_HISTORY, land_small_account, scenario_events, write_jsonl
from tests.support.raw_tables import checksums

LIFECYCLE = str(Path(sys.executable).parent / "lifecycle")


def land_business(landing: Path) -> None:
    """Three accounts that bought in March 2024 and one in October: lost after 180 days, not after 365."""
    for account in ("A", "B", "C"):
        land_small_account(landing, account, "2024-03-06")
    october = [dict(event, date="2024-10-01") for event in SMALL_ACCOUNT_HISTORY]
    for stream, rows in scenario_events("D", october).items():
        write_jsonl(landing, stream, "2024-10-02", "D.jsonl", rows)


def _default_signals() -> None:
    # as a shell or a supervisor starts a run: an ignored signal is inherited through exec, and the test
    # process can end up ignoring these after what ran in it before (seen under pytest only)
    for signo in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(signo, signal.SIG_DFL)


def start(args: list[str], output: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`lifecycle <args>` in its own process group (a session), its output into `output`."""
    with output.open("wb") as sink:
        return subprocess.Popen(
            [LIFECYCLE, *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
            preexec_fn=_default_signals,
        )


def kill_when(process: subprocess.Popen, output: Path, marker: str, timeout: float = 300.0) -> None:
    """SIGKILL the process group of `process` as soon as `marker` appears in its output."""
    deadline = time.monotonic() + timeout
    while marker not in output.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {marker!r}:\n{output.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError(f"no {marker!r} within {timeout:.0f}s")
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def clean_raw_checksums(landing: Path) -> dict[str, str]:
    """The raw tables of one clean load of every landed day, in memory."""
    with duckdb.connect() as con:
        for schema in STREAMS.values():
            load_days(con, landing, schema, landed_days(landing, schema.name))
        return checksums(con)


def raw_checksums(database: Path) -> dict[str, str]:
    with duckdb.connect(str(database), read_only=True) as con:
        return checksums(con)
