"""What starts ingestion: a sensor for new landing files and a daily schedule."""

import json
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines.contract import STREAMS
from pipelines.defs.ingest.assets import RANGE_END_TAG, RANGE_START_TAG
from pipelines.partitions import arrival_days
from pipelines.raw.loader import day_files, landed_days
from pipelines.settings import warehouse_paths

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
                stat = path.stat()
                # a file moved in keeps its old mtime, but the move sets its ctime
                mtime = max(stat.st_mtime, stat.st_ctime)
                if mtime > seen_mtime:
                    days.add(day)
                    newest = max(newest, mtime)
    return sorted(days), newest


@dg.sensor(
    job_name=LIFECYCLE_JOB,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts one run over the arrival days that received new landing files.",
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    state = json.loads(context.cursor) if context.cursor else {"mtime": 0.0}
    days, newest = new_landing_days(warehouse_paths().landing, state["mtime"])
    if not days:
        return dg.SkipReason("no new landing files")
    context.update_cursor(json.dumps({"mtime": newest}))
    return dg.RunRequest(run_key=f"landing-{newest}", tags=range_tags(days[0], days[-1]))


lifecycle_job = dg.define_asset_job(
    LIFECYCLE_JOB,
    selection=dg.AssetSelection.all(),
    partitions_def=arrival_days,
    description="Ingest the chosen arrival days, then rebuild everything downstream (dbt).",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    lifecycle_job, hour_of_day=6, description="Every morning: load yesterday's arrival day and rebuild."
)
