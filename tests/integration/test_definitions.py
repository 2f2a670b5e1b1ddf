"""The Dagster code location: what `make dev` loads and what the sensor and schedule start."""

import os
import time
from datetime import date

import dagster as dg
import duckdb
import yaml

from pipelines.definitions import defs
from pipelines.defs.ingest.triggers import RANGE_END_TAG, RANGE_START_TAG, landing_sensor
from pipelines.defs.resources import DUCKDB_WRITER_POOL
from pipelines.defs.serving.assets import REPORT_KEY
from pipelines.raw.changes import file_stat
from pipelines.raw.tables import create_raw_tables
from pipelines.runs.instance import prepare_home
from tests.conftest import PROJECT_ROOT
from tests.support.landing import write_jsonl


def test_code_location_loads_with_ingest_and_dbt_assets():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/sales_events", "raw/service_events", "raw/contact_events", "raw/fx_rates"} <= keys
    assert {
        "marts/accounts",
        "marts/lifecycle_history",
        "marts/lifecycle_transitions",
        "marts/stage_snapshot_monthly",
        "staging/stg_sales__events",
    } <= keys
    # dbt sources are the ingest assets, not separate source assets
    assert graph.get(dg.AssetKey(["staging", "stg_sales__events"])).parent_keys == {
        dg.AssetKey(["raw", "sales_events"])
    }
    checks = {k.name for k in graph.asset_check_keys}
    for stream in ("sales", "service", "contact"):
        for name in ("rows_balance", "quarantine_rate", "no_unreadable_files", "expectations"):
            assert (
                dg.AssetCheckKey(dg.AssetKey(["raw", "ingest_audit"]), f"{stream}_{name}")
                in graph.asset_check_keys
            )
    # checks are not attached to the daily partitioned assets (one per day of a backfill otherwise)
    assert not any(
        k.asset_key.path[0] == "raw" and k.asset_key.path[-1].endswith("_events")
        for k in graph.asset_check_keys
    )
    assert any(name.startswith("unique_") for name in checks)  # dbt tests surface as checks


def test_every_duckdb_writer_is_in_the_single_writer_pool(tmp_path):
    for assets_def in defs.assets:
        if isinstance(assets_def, dg.AssetSpec) or assets_def.keys == {REPORT_KEY}:
            continue  # written outside Dagster (finance tables); reads the published serving file only
        assert assets_def.op.pool == DUCKDB_WRITER_POOL, assets_def.keys
    instance_yaml = yaml.safe_load((prepare_home(tmp_path / "dagster") / "dagster.yaml").read_text())
    assert instance_yaml["concurrency"]["pools"]["default_limit"] == 1


def test_ingest_is_partitioned_by_arrival_day_with_single_run_backfills():
    node = defs.resolve_asset_graph().get(dg.AssetKey(["raw", "sales_events"]))
    assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition)
    assert node.backfill_policy == dg.BackfillPolicy.single_run()


def test_daily_schedule_targets_the_lifecycle_job():
    schedule = defs.resolve_schedule_def("lifecycle_job_schedule")
    assert schedule.job_name == "lifecycle_job"


def test_sensor_requests_one_run_over_the_days_with_new_files(warehouse):
    write_jsonl(warehouse.landing, "sales", "2024-03-01", "a.jsonl", [{"event_id": "1"}])
    write_jsonl(warehouse.landing, "contact", "2024-03-04", "b.jsonl", [{"event_id": "2"}])
    with dg.build_sensor_context() as context:
        request = landing_sensor(context)
        assert request.tags[RANGE_START_TAG] == "2024-03-01"
        assert request.tags[RANGE_END_TAG] == "2024-03-04"
        cursor = context.cursor
    with dg.build_sensor_context(cursor=cursor) as context:
        assert isinstance(landing_sensor(context), dg.SkipReason)
    later = write_jsonl(warehouse.landing, "service", "2024-03-07", "c.jsonl", [{"event_id": "3"}])
    os.utime(later, (time.time() + 5, time.time() + 5))
    with dg.build_sensor_context(cursor=cursor) as context:
        request = landing_sensor(context)
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-03-07", "2024-03-07")


def test_workspace_points_at_the_definitions_module():
    workspace = yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())
    assert workspace["load_from"][0]["python_module"]["module_name"] == "pipelines.definitions"
    assert date.fromisoformat("2020-01-01")  # partitions start documented in pipelines/defs/partitions.py


def test_sensor_notices_a_file_moved_in_with_an_old_timestamp(warehouse, tmp_path):
    write_jsonl(warehouse.landing, "sales", "2024-03-01", "a.jsonl", [{"event_id": "1"}])
    with dg.build_sensor_context() as context:
        landing_sensor(context)
        cursor = context.cursor
    time.sleep(0.05)
    outside = write_jsonl(tmp_path / "elsewhere", "sales", "2024-03-09", "old.jsonl", [{"event_id": "2"}])
    os.utime(outside, (946684800, 946684800))  # written long ago, e.g. copied with its timestamps kept
    target = warehouse.landing / "sales" / "2024-03-09"
    target.mkdir(parents=True)
    outside.rename(target / "old.jsonl")
    with dg.build_sensor_context(cursor=cursor) as context:
        request = landing_sensor(context)
        assert isinstance(request, dg.RunRequest)
        assert request.tags[RANGE_START_TAG] == "2024-03-09"


def test_sensor_first_look_skips_the_days_a_run_already_loaded(warehouse):
    for day in ("2024-03-01", "2024-03-02"):
        write_jsonl(warehouse.landing, "sales", day, "a.jsonl", [{"event_id": day}])
    con = duckdb.connect(str(warehouse.database))
    create_raw_tables(con)
    # the audit of a load of 2024-03-01 as it is now (its file's stat: raw/changes.py)
    stat = file_stat(warehouse.landing / "sales" / "2024-03-01" / "a.jsonl")
    con.execute(
        "insert into raw.ingest_batches values ('sales', date '2024-03-01', 'sales/2024-03-01/a.jsonl', "
        "'jsonl', 'h', 1, 1, 0, 0, 0, 0, 'loaded', null, now(), now(), ?)",
        [stat],
    )
    con.close()
    with dg.build_sensor_context() as context:
        request = landing_sensor(context)
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-03-02", "2024-03-02")
    with duckdb.connect(str(warehouse.database)) as con:
        con.execute(
            "insert into raw.ingest_batches select * replace (date '2024-03-02' as arrival_date, "
            "'sales/2024-03-02/a.jsonl' as source_file, ? as file_stat) from raw.ingest_batches",
            [file_stat(warehouse.landing / "sales" / "2024-03-02" / "a.jsonl")],
        )
    with dg.build_sensor_context() as context:
        assert isinstance(landing_sensor(context), dg.SkipReason)  # everything landed is loaded
    # a file of a loaded day rewritten while no sensor looked: the first look loads that day again
    time.sleep(0.05)
    write_jsonl(warehouse.landing, "sales", "2024-03-01", "a.jsonl", [{"event_id": "2024-03-01"}])
    with dg.build_sensor_context() as context:
        request = landing_sensor(context)
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-03-01", "2024-03-01")


def test_the_sensor_is_on_and_the_schedule_off_by_default():
    assert landing_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    schedule = defs.resolve_schedule_def("lifecycle_job_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
