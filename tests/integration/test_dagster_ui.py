"""The Dagster UI tells the truth: `make dev` (dagster dev: webserver and daemon) on the warehouse's instance
shows the runs `lifecycle run` made, and a run launched through its GraphQL API succeeds while a BI tool
holds the serving file open; the tool then sees the new build."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient

from pipelines.cli import main
from pipelines.defs.ingest.triggers import LIFECYCLE_JOB, range_tags
from pipelines.instance import dagster_home
from pipelines.serving.publish import SERVING_FILE
from pipelines.settings import WAREHOUSE_ENV, WarehousePaths
from tests.conftest import PROJECT_ROOT
from tests.support.landing import land_small_account

STARTUP_SECONDS = 180
RUN_SECONDS = 300
RUN_IDS_QUERY = "{ runsOrError { ... on Runs { results { runId status } } } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster dev exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                return
        except OSError:
            time.sleep(1)
    pytest.fail(f"dagster dev did not answer within {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


@contextmanager
def dagster_dev(warehouse: WarehousePaths) -> Iterator[int]:
    """`dagster dev` as `make dev` starts it, on the warehouse's instance (webserver and daemon); its port."""
    port = _free_port()
    log = warehouse.logs / "dagster-dev.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, WAREHOUSE_ENV: str(warehouse.root), "DAGSTER_HOME": str(dagster_home(warehouse))}
    dagster = Path(sys.executable).parent / "dagster"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its webserver, daemon and run workers stop with it
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", server, log)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _wait_for(client: DagsterGraphQLClient, run_id: str) -> DagsterRunStatus:
    deadline = time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline:
        status = client.get_run_status(run_id)
        if status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED):
            return status
        time.sleep(2)
    pytest.fail(f"run {run_id} did not finish within {RUN_SECONDS}s")


def test_cli_runs_show_in_the_ui_and_a_ui_run_succeeds_while_a_reader_holds_the_serving_file(warehouse):
    day = date(2024, 3, 6)

    land_small_account(warehouse.landing, "acme", day)
    assert main(["run", "--quiet"]) == 0  # kept in <warehouse>/dagster by default
    serving_file = warehouse.root / SERVING_FILE
    reader = duckdb.connect(str(serving_file), read_only=True)  # a BI tool, left open
    try:
        stamp = dict(reader.execute("select key, value from build_info").fetchall())
        assert stamp["lost_after_days"] == "365"
        with dagster_dev(warehouse) as port:  # after the CLI run: its sensor finds nothing new
            client = DagsterGraphQLClient("127.0.0.1", port_number=port)
            shown = client._execute(RUN_IDS_QUERY)["runsOrError"]["results"]
            assert [(r["runId"], r["status"]) for r in shown] == [(stamp["run_id"], "SUCCESS")]

            run_id = client.submit_job_execution(
                LIFECYCLE_JOB,
                repository_location_name="lifecycle",
                run_config={"resources": {"lifecycle_settings": {"config": {"lost_after_days": 200}}}},
                tags=range_tags(day, day),
            )
            status = _wait_for(client, run_id)
            assert status == DagsterRunStatus.SUCCESS, f"run {run_id} ended {status}"
        # the open reader keeps the build it opened
        kept = reader.execute("select value from build_info where key = 'run_id'").fetchone()
        assert kept == (stamp["run_id"],)
    finally:
        reader.close()
    with duckdb.connect(str(serving_file), read_only=True) as fresh:
        now = dict(fresh.execute("select key, value from build_info").fetchall())
    assert (now["run_id"], now["lost_after_days"]) == (run_id, "200")
