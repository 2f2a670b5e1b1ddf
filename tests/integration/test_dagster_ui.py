"""A BI tool holding the serving file open never blocks a run, from the command line or from the UI, and
the UI tells the truth: `make dev` (dagster dev: webserver and daemon) on the warehouse's instance shows
the runs `lifecycle run` made, and a run launched through its GraphQL API succeeds. The tool keeps the
build it opened; a new connection sees the new one."""

from __future__ import annotations

import json
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
import pyarrow.parquet as pq
import pytest
from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient

from pipelines.cli import main
from pipelines.config.paths import WAREHOUSE_ENV, WarehousePaths
from pipelines.defs.ingest.triggers import LIFECYCLE_JOB, range_tags
from pipelines.runs.instance import dagster_home
from pipelines.serving.publish import STAMP_KEY
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


def _published(exports: Path) -> tuple[dict, int]:
    """The build stamp and row count of the accounts export. Read with pyarrow: a second DuckDB connection
    in this process would share the reader's open database instead of opening the new file."""
    export = exports / "accounts.parquet"
    return json.loads(pq.read_schema(export).metadata[STAMP_KEY]), pq.read_metadata(export).num_rows


def test_a_reader_holds_the_serving_file_through_a_cli_run_and_a_ui_run_which_the_ui_shows(warehouse):
    first, second = date(2024, 3, 6), date(2024, 3, 7)
    land_small_account(warehouse.landing, "acme", first)
    assert main(["run", "--quiet"]) == 0  # kept in <warehouse>/dagster by default
    serving_file = warehouse.serving_file
    reader = duckdb.connect(str(serving_file), read_only=True)  # a BI tool, left open
    try:
        stamp = dict(reader.execute("select key, value from build_info").fetchall())
        assert reader.execute("select count(*) from marts.accounts").fetchone() == (1,)

        # a full `lifecycle run` while the reader holds the file: it succeeds, the reader keeps its state
        land_small_account(warehouse.landing, "globex", second)
        assert main(["run", "--quiet"]) == 0
        assert reader.execute("select count(*) from marts.accounts").fetchone() == (1,)
        cli_build, accounts = _published(warehouse.exports)
        assert accounts == 2

        with dagster_dev(warehouse) as port:  # after the CLI runs: its sensor finds nothing new
            client = DagsterGraphQLClient("127.0.0.1", port_number=port)
            shown = client._execute(RUN_IDS_QUERY)["runsOrError"]["results"]
            assert {(r["runId"], r["status"]) for r in shown} == {
                (stamp["run_id"], "SUCCESS"),
                (cli_build["run_id"], "SUCCESS"),
            }

            run_id = client.submit_job_execution(
                LIFECYCLE_JOB,
                repository_location_name="lifecycle",
                run_config={"resources": {"lifecycle_settings": {"config": {"lost_after_days": 200}}}},
                tags=range_tags(first, second),
            )
            status = _wait_for(client, run_id)
            assert status == DagsterRunStatus.SUCCESS, f"run {run_id} ended {status}"
        # the open reader keeps the build it opened
        kept = reader.execute("select value from build_info where key = 'run_id'").fetchone()
        assert kept == (stamp["run_id"],)
    finally:
        reader.close()
    now, accounts = _published(warehouse.exports)
    assert (now["run_id"], now["lost_after_days"], accounts) == (run_id, 200, 2)
    with duckdb.connect(str(serving_file), read_only=True) as fresh:  # the reader is closed: a new open
        assert dict(fresh.execute("select key, value from build_info").fetchall())["run_id"] == run_id
