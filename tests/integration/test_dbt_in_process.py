"""dbt in the run's own process (the dbt step on DuckDB): its events as dbt's JSON log lines, its failure
as one error in dbt's words, and a stream left early stops dbt's queries instead of leaving them running
in the process (an interrupted run would otherwise hold the warehouse until the process exits)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from pipelines.dbt.args import WAREHOUSE_VAR, in_process_args
from pipelines.dbt.invoke import DbtFailed, parsed_project, stream_in_process
from pipelines.dbt.project import DBT_PROJECT_DIR

# minutes of DuckDB work: only a cancel ends it within the test
ENDLESS = "select max(hash(range)) from range(100000000000)"


def args(tmp_path, *command: str) -> list[str]:
    with_vars = [*command, "--vars", json.dumps({WAREHOUSE_VAR: str(tmp_path)})]
    return in_process_args(with_vars, DBT_PROJECT_DIR, tmp_path / "dbt")


def dbt_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("dbt ") and t.is_alive()]


def test_a_failed_build_streams_dbts_events_then_raises_in_dbts_words(tmp_path):
    events = []
    stream = stream_in_process(
        args(tmp_path, "run", "--select", "stg_sales__events"), parsed_project(tmp_path)
    )
    with pytest.raises(
        DbtFailed, match=r'dbt run failed:(?s:.*)Table with name "raw\.sales_events" does not exist'
    ):
        events.extend(stream)
    assert {"info", "data"} <= set(events[0])
    assert "Running with dbt" in events[0]["info"]["msg"]
    assert any(e["info"]["name"] == "LogModelResult" for e in events)
    assert all(e["info"]["level"] != "debug" for e in events)  # dbt's debug lines go to dbt.log only
    assert "raw.sales_events" in (tmp_path / "dbt" / "dbt.log").read_text()


def test_a_stream_left_early_cancels_the_running_query(tmp_path):
    # an inline query becomes a node of the manifest: on dbt's own parse, not the one shared in the process
    stream = stream_in_process(args(tmp_path, "show", "--inline", ENDLESS), manifest=None)
    while "Concurrency" not in next(stream)["info"]["msg"]:
        pass
    time.sleep(2.0)
    assert dbt_threads(), "the query ended by itself: the test proves nothing"
    started = time.monotonic()
    stream.close()  # what an interrupt in the step does to the stream
    assert not dbt_threads(), "dbt still runs after the step left"
    assert time.monotonic() - started < 20
