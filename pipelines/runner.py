"""Run the lifecycle job in this process: ingest the chosen arrival days, then build dbt, in one run."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import date

from pipelines.contract import STREAMS
from pipelines.partitions import FIRST_ARRIVAL_DAY
from pipelines.raw.loader import landed_days
from pipelines.settings import WarehousePaths, export_warehouse_env

DBT_OP = "lifecycle_dbt"


@dataclass
class RunOutcome:
    success: bool
    first_day: date
    last_day: date
    run_id: str
    ingested: dict[str, dict] = field(default_factory=dict)  # stream -> materialization metadata
    failed_checks: list[str] = field(default_factory=list)  # ERROR-severity checks that failed
    warned_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    failure_messages: list[str] = field(default_factory=list)  # why those steps failed


def manifest_is_stale(project_dir, manifest) -> bool:
    """True when the manifest is missing or older than any model, macro, test or project file."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml"]
    for folder in ("models", "macros", "tests", "analyses"):
        sources += [
            p for p in (project_dir / folder).rglob("*") if p.suffix in (".sql", ".yml", ".yaml", ".md")
        ]
    return any(p.stat().st_mtime > built for p in sources if p.exists())


def ensure_dbt_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than the project's files."""
    from pipelines.defs.dbt.assets import MANIFEST
    from pipelines.defs.resources import DBT_PROJECT_DIR, dbt_executable

    if manifest_is_stale(DBT_PROJECT_DIR, MANIFEST):
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
            cwd=DBT_PROJECT_DIR,
            check=True,
        )


def landed_range(paths: WarehousePaths) -> tuple[date, date] | None:
    days = sorted({d for s in STREAMS for d in landed_days(paths.landing, s)})
    return (days[0], days[-1]) if days else None


def resolve_range(paths: WarehousePaths, first: date | None, last: date | None) -> tuple[date, date]:
    landed = landed_range(paths)
    if landed is None and (first is None or last is None):
        raise ValueError(
            f"no landing folders under {paths.landing}: run `lifecycle simulate` or add files "
            "as landing/<stream>/<YYYY-MM-DD>/"
        )
    first = first or landed[0]
    last = last or landed[1]
    if last < first:
        raise ValueError(f"--end {last} is before --start {first}")
    if first < date.fromisoformat(FIRST_ARRIVAL_DAY):
        raise ValueError(
            f"arrival days before {FIRST_ARRIVAL_DAY} are outside the partitions (pipelines/partitions.py)"
        )
    return first, last


def _instance(record: bool):
    """In memory by default: the on-disk instance commits one row per planned partition, which makes a
    multi-year backfill spend minutes in bookkeeping. `record` keeps the run for the UI ($DAGSTER_HOME)."""
    from dagster import DagsterInstance

    home = os.environ.get("DAGSTER_HOME")
    if record:
        if not home or not os.path.isdir(home):
            raise ValueError("--record needs DAGSTER_HOME set to an existing directory (make sets .dagster/)")
        return DagsterInstance.get()
    return DagsterInstance.ephemeral()


def run_lifecycle(
    paths: WarehousePaths,
    first: date | None = None,
    last: date | None = None,
    dbt_vars: dict | None = None,
    log_level: str = "INFO",
    record: bool = False,
) -> RunOutcome:
    from dagster import AssetCheckSeverity, DagsterEventType

    from pipelines.defs.ingest.triggers import LIFECYCLE_JOB, range_tags

    export_warehouse_env(paths.ensure())
    first, last = resolve_range(paths, first, last)
    ensure_dbt_manifest()
    from pipelines.definitions import defs

    job = defs.resolve_job_def(LIFECYCLE_JOB)
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if dbt_vars:
        run_config["ops"] = {DBT_OP: {"config": {"vars": dbt_vars}}}
    with _instance(record) as instance:
        result = job.execute_in_process(
            instance=instance, tags=range_tags(first, last), run_config=run_config, raise_on_error=False
        )
    outcome = RunOutcome(success=result.success, first_day=first, last_day=last, run_id=result.run_id)
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            if mat.asset_key.path[0] == "raw" and mat.asset_key.path[-1].endswith("_events"):
                outcome.ingested[mat.asset_key.path[-1]] = {k: v.value for k, v in mat.metadata.items()}
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                label = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                (
                    outcome.warned_checks
                    if evaluation.severity == AssetCheckSeverity.WARN
                    else outcome.failed_checks
                ).append(label)
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            outcome.failed_steps.append(event.step_key or "?")
            error = event.event_specific_data.error
            cause = error.cause if error and error.cause else error
            if cause is not None:
                outcome.failure_messages.append(f"{event.step_key}: {cause.message.strip()}")
    return outcome
