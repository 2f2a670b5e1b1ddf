"""dbt in the run's own process (the dbt step on DuckDB): its events as dbt's JSON log lines, its failure
as one error in dbt's words, and a stream left early stops dbt's queries instead of leaving them running
in the process (an interrupted run would otherwise hold the warehouse until the process exits)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from pipelines.config.lifecycle import LifecycleSettings, settings_from
from pipelines.dbt import invoke
from pipelines.dbt.args import WAREHOUSE_VAR, in_process_args, parse_args
from pipelines.dbt.invoke import DbtFailed, invoke_in_process, parsed_project, stream_in_process
from pipelines.dbt.project import DBT_PROJECT_DIR, prepare_manifest

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


def every_setting_changed() -> dict[str, object]:
    changed: dict[str, object] = {"reporting_timezone": "Europe/Berlin", "reporting_currency": "USD"}
    changed["as_of_date"] = "2024-06-30"
    for name, default in LifecycleSettings().dbt_vars().items():
        if isinstance(default, int | float) and name not in changed:
            changed[name] = default + 1 if isinstance(default, int) else round(default * 1.5, 4)
    return settings_from(changed).changed_vars()


def test_no_lifecycle_setting_decides_a_nodes_config_so_one_parse_serves_every_run(tmp_path):
    """The dbt step parses the project once, without the lifecycle settings, and builds with the run's
    settings: that holds only while no node's config, schema, name or dependencies read a setting."""
    changed = every_setting_changed()
    assert set(changed) == set(LifecycleSettings.model_fields)
    with_vars = [*parse_args(DBT_PROJECT_DIR), "--project-dir", str(DBT_PROJECT_DIR)]
    with_vars += [
        "--vars",
        json.dumps({**changed, WAREHOUSE_VAR: str(tmp_path)}),
        "--target-path",
        str(tmp_path),
    ]
    other = invoke_in_process(with_vars).result
    shared = parsed_project(tmp_path / "shared")

    def shape(node) -> tuple:
        return (node.config.to_dict(), node.schema, node.alias, sorted(node.depends_on.nodes))

    assert other.nodes.keys() == shared.nodes.keys()
    differing = [uid for uid, node in shared.nodes.items() if shape(node) != shape(other.nodes[uid])]
    assert differing == []


def test_a_new_warehouses_first_parse_starts_from_the_projects_parse_state(tmp_path, monkeypatch):
    """The parse is given fixed profile vars, so the state of the project's own parse (`make setup`)
    fits every warehouse: a new one parses partially (about 2 s) instead of in full (about 4.5 s)."""
    monkeypatch.setattr(invoke, "_parsed", {})  # as in a new process
    prepare_manifest()
    parsed_project(tmp_path / "dbt-target")
    log = (tmp_path / "dbt-target" / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled" in log
