"""What starts ingestion: a sensor for new landing files (on by default) and a daily schedule (off)."""

import json
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.config.paths import warehouse_paths
from pipelines.contract import STREAMS
from pipelines.defs.ingest.assets import RANGE_END_TAG, RANGE_START_TAG
from pipelines.defs.partitions import arrival_days
from pipelines.raw.loader import changed_since_loaded, day_files, landed_days
from pipelines.runs.writer_slot import release_dead_holders

LIFECYCLE_JOB = "lifecycle_job"


def range_tags(first: date, last: date) -> dict[str, str]:
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def new_landing_days(landing: Path, seen_mtime: float) -> tuple[list[date], float]:
    """Arrival days holding a file written or moved in after `seen_mtime`, and the newest time seen."""
    days: set[date] = set()
    newest = seen_mtime
    for stream in STREAMS:
        for day in landed_days(landing, stream):
            for path in day_files(landing, stream, day):
                stat = path.lstat()  # a link is listed (and refused when read), never followed
                # a file moved in keeps its old mtime, but the move sets its ctime
                mtime = max(stat.st_mtime, stat.st_ctime)
                if mtime > seen_mtime:
                    days.add(day)
                    newest = max(newest, mtime)
    return sorted(days), newest


@dg.sensor(
    job_name=LIFECYCLE_JOB,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="On by default: starts one run over the arrival days that received new landing files. Its "
    "first look loads only the landed days whose files changed since their last load.",
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    paths = warehouse_paths()
    # a run killed while holding the writer slot kept it, and every queued run waited behind it for good
    if context.instance_ref is not None:  # None only where a test builds the context without one
        release_dead_holders(context.instance, context.log.warning)
    if context.cursor:
        days, newest = new_landing_days(paths.landing, json.loads(context.cursor)["mtime"])
    else:
        # first look: the days changed since their last load (what `lifecycle run` loaded is not again)
        try:
            days = changed_since_loaded(paths.database, paths.landing)
        except duckdb.IOException as exc:  # a writer holds the database: look again at the next tick
            return dg.SkipReason(f"the warehouse is busy ({exc}); looking again at the next tick")
        newest = new_landing_days(paths.landing, 0.0)[1]
    context.update_cursor(json.dumps({"mtime": newest}))
    if not days:
        return dg.SkipReason("no new landing files")
    return dg.RunRequest(run_key=f"landing-{newest}", tags=range_tags(days[0], days[-1]))


lifecycle_job = dg.define_asset_job(
    LIFECYCLE_JOB,
    selection=dg.AssetSelection.all(),
    partitions_def=arrival_days,
    # in one process: the writing steps take turns anyway (one DuckDB writer), and a process per step
    # would add seconds of start-up to each
    executor_def=dg.in_process_executor,
    description="Ingest the chosen arrival days, then rebuild everything downstream (dbt).",
)

# Off by default: the sensor already loads every new file. Turn it on (and the sensor off) where files
# arrive as one nightly batch and a fixed time is wanted.
daily_schedule = dg.build_schedule_from_partitioned_job(
    lifecycle_job,
    hour_of_day=6,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Off by default (the sensor loads new files as they land). Every morning: load yesterday's "
    "arrival day and rebuild.",
)
