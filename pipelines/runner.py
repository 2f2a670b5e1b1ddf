"""Run the lifecycle job in this process: ingest the chosen arrival days, then build dbt, in one run."""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from pipelines.config.lifecycle import LifecycleSettings
from pipelines.config.paths import WarehousePaths
from pipelines.contract import STREAMS
from pipelines.dbt.args import DEFAULT_TARGET
from pipelines.defs.partitions import FIRST_ARRIVAL_DAY
from pipelines.errors import ConfigError, is_lifecycle_error, is_no_space, no_space
from pipelines.raw.loader import changed_landed_days, landed_days
from pipelines.runs.instance import range_events_at_once
from pipelines.runs.writer_slot import wait_for_writer_slot
from pipelines.warehouse.connections import connect_writer, writer_lock
from pipelines.warehouse.sql import ident

if TYPE_CHECKING:
    from dagster import DagsterInstance, ExecuteInProcessResult

RUN_LOCK_FILE = ".run.lock"
RUN_WAIT_SECONDS = 6 * 3600.0  # a backfill ahead of this run may take hours; then this one gives up
# dbt tests that keep their failing rows (config store_failures) are read back into the summary.
STORED_FAILURES_SCHEMA = "dbt_test__audit"
FAILURE_ROWS_SHOWN = 5


@dataclass
class RunOutcome:
    success: bool
    first_day: date | None  # the arrival days ingested; None for a rebuild (no ingest)
    last_day: date | None
    run_id: str
    settings: dict[str, Any] = field(default_factory=dict)
    ingested: dict[str, dict[str, Any]] = field(default_factory=dict)  # stream -> materialization metadata
    failed_checks: list[str] = field(default_factory=list)  # ERROR-severity checks that failed
    warned_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    failure_messages: list[str] = field(default_factory=list)  # why those steps and checks failed
    log_file: Path | None = None  # where the output of dbt and the steps went, when the run was quiet
    nothing_changed: bool = False  # a run over every landed day found none changed since its last load
    published: dict[str, str] = field(default_factory=dict)  # what the serving assets wrote: label -> path


def landed_range(paths: WarehousePaths) -> tuple[date, date] | None:
    days = sorted({d for s in STREAMS for d in landed_days(paths.landing, s)})
    return (days[0], days[-1]) if days else None


def changed_range(paths: WarehousePaths) -> tuple[date, date] | None:
    """What a run given no arrival days loads: from the first to the last day whose landing files changed
    since their last load (pipelines/raw/changes.py), every landed day of a new warehouse; None when no
    day changed. Read under the writer lock, as a load writes the audit it compares with."""
    if not paths.database.exists():
        return landed_range(paths)
    with writer_lock(paths.root, "lifecycle run: which arrival days changed", log=_say):
        con = connect_writer(paths.database, log=_say)
        try:
            days = changed_landed_days(con, paths.landing)
        finally:
            con.close()
    return (days[0], days[-1]) if days else None


def resolve_range(paths: WarehousePaths, first: date | None, last: date | None) -> tuple[date, date]:
    landed = landed_range(paths)
    if landed is None:
        if first is None or last is None:
            raise ConfigError(
                f"no landing folders under {paths.landing}: run `lifecycle simulate` or add files "
                "as landing/<stream>/<YYYY-MM-DD>/"
            )
        landed = (first, last)
    first = first or landed[0]
    last = last or landed[1]
    if last < first:
        raise ConfigError(f"--end {last} is before --start {first}")
    if first < date.fromisoformat(FIRST_ARRIVAL_DAY):
        raise ConfigError(
            f"arrival days before {FIRST_ARRIVAL_DAY} are outside the partitions "
            "(pipelines/defs/partitions.py)"
        )
    return first, last


def _written_places(paths: WarehousePaths) -> list[Path]:
    from pipelines.config.engine import engine_settings
    from pipelines.runs.instance import dagster_home

    return [dagster_home(paths), paths.database, engine_settings(paths.root).temp_directory]


def _say(line: str) -> None:
    """A line for the person at the terminal, even when stdout goes to the run's log file."""
    print(f"lifecycle: {line}", file=sys.stderr, flush=True)


def _instance(paths: WarehousePaths, record: bool) -> DagsterInstance:
    """The warehouse's recorded instance (the UI shows the run), or one in memory that is gone after."""
    from pipelines.runs.instance import recorded_instance
    from pipelines.runs.storage import ephemeral_instance

    return recorded_instance(paths) if record else ephemeral_instance()


def run_config(
    paths: WarehousePaths,
    settings: LifecycleSettings,
    log_level: str,
    progress: bool = False,
    full_refresh: bool = False,
    target: str = DEFAULT_TARGET,
    allow_empty_publish: bool = False,
    quiet: bool = False,
) -> dict[str, Any]:
    """`quiet` sends every message of the run to standard output (the run's log file) instead of the
    console; `progress` adds the logger that prints one line per step on stderr (pipelines/defs/progress.py);
    `full_refresh` rebuilds every dbt model from scratch; `target` is the engine of the dbt step."""
    from pipelines.defs.churn.assets import EFFECTS_KEY
    from pipelines.defs.dbt.assets import DBT_OPS
    from pipelines.defs.forecast.assets import FORECAST_OP
    from pipelines.defs.progress import PROGRESS_LOGGER, RUN_LOG_LOGGER
    from pipelines.defs.serving.assets import SERVING_KEY

    chosen = {k: v for k, v in settings.dbt_vars().items() if v is not None}
    loggers: dict[str, Any] = {"console": {"config": {"log_level": log_level}}}
    if quiet:  # stack traces go to the run's log file only; the summary names the cause and the file
        loggers = {"console": {"config": {"log_level": "CRITICAL"}}, RUN_LOG_LOGGER: {"config": {}}}
    if progress:
        loggers[PROGRESS_LOGGER] = {"config": {}}
    ops: dict[str, Any] = {op: {"config": {"full_refresh": full_refresh, "target": target}} for op in DBT_OPS}
    if target != DEFAULT_TARGET:
        ops[EFFECTS_KEY.to_python_identifier()] = {"config": {"target": target}}
        ops[FORECAST_OP] = {"config": {"target": target}}
    if allow_empty_publish and target == DEFAULT_TARGET:  # a run without the serving step takes none
        ops[SERVING_KEY.to_python_identifier()] = {"config": {"allow_empty": True}}
    return {
        "ops": ops,
        "loggers": loggers,
        "resources": {
            "warehouse": {"config": {"root": str(paths.root)}},
            "lifecycle_settings": {"config": chosen},
        },
    }


def stored_failures(paths: WarehousePaths, test_name: str) -> list[str]:
    """The first failing rows a dbt test stored (config store_failures), as text; [] when none."""
    if not paths.database.exists():
        return []
    with duckdb.connect(str(paths.database), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = $s and table_name = $t",
            {"s": STORED_FAILURES_SCHEMA, "t": test_name},
        ).fetchone()
        if not exists or not exists[0]:
            return []
        table = f"{ident(STORED_FAILURES_SCHEMA)}.{ident(test_name)}"
        rows = con.execute(f"select * from {table} limit {FAILURE_ROWS_SHOWN}").fetchall()
    return [", ".join(str(v) for v in row) for row in rows]


def collect_outcome(result: ExecuteInProcessResult, outcome: RunOutcome, paths: WarehousePaths) -> None:
    from dagster import AssetCheckSeverity

    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        if mat.asset_key.path[0] == "raw" and mat.asset_key.path[-1].endswith("_events"):
            outcome.ingested[mat.asset_key.path[-1]] = {k: v.value for k, v in mat.metadata.items()}
        if mat.asset_key.path[0] == "serving":
            for label in ("exports", "serving_file", "report"):
                if label in mat.metadata:
                    outcome.published[label] = str(mat.metadata[label].value)
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        label = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.severity == AssetCheckSeverity.WARN:
            outcome.warned_checks.append(label)
            continue
        outcome.failed_checks.append(label)
        outcome.failure_messages += [
            f"{label}: {row}" for row in stored_failures(paths, evaluation.check_name)
        ]
    for event in result.get_step_failure_events():
        outcome.failed_steps.append(event.step_key or "?")
        error = event.step_failure_data.error
        cause = error.cause if error and error.cause else error
        if cause is not None:
            message = cause.message.strip()
            if cause.cls_name and is_lifecycle_error(cause.cls_name):
                message = message.split(f"{cause.cls_name}: ", 1)[-1]  # the cause, not the class path
            if is_no_space(Exception(message)):  # DuckDB or the spill folder on a full disk
                message = str(no_space(Exception(message), _written_places(paths)))
            outcome.failure_messages.append(f"{event.step_key}: {message}")


def run_lifecycle(
    paths: WarehousePaths,
    first: date | None = None,
    last: date | None = None,
    settings: LifecycleSettings | None = None,
    log_level: str = "INFO",
    record: bool = True,
    quiet: bool = False,
    progress: bool = False,
    full_refresh: bool = False,
    target: str = DEFAULT_TARGET,
    allow_empty_publish: bool = False,
    ingest: bool = True,
) -> RunOutcome:
    """Run the job; `record` keeps it in the Dagster instance for the UI, `quiet` sends dbt's and the
    steps' own output to a file under <warehouse>/logs, `progress` prints a line per step on stderr,
    `full_refresh` rebuilds every dbt model from scratch (by default only the accounts loads touched).
    `target` spark builds the dbt models on Apache Spark (docs/spark.md): the marts go to
    <warehouse>/spark/exports, and the DuckDB serving file and report, which read the DuckDB marts, are
    left as they are. Without `ingest`, nothing is loaded: the models are built from the raw layer as it
    is (with `full_refresh`, a rebuild from scratch)."""
    from pipelines.dbt.project import prepare_manifest
    from pipelines.defs.ingest.triggers import LIFECYCLE_JOB, range_tags

    settings = settings or LifecycleSettings()
    changed_only = ingest and first is None and last is None
    if ingest:
        first, last = resolve_range(paths, first, last)
    elif first is not None or last is not None:
        raise ConfigError("a run without ingest loads no arrival days: leave out --start and --end")
    prepare_manifest()
    from pipelines.definitions import defs

    job = defs.resolve_job_def(LIFECYCLE_JOB)
    log_file = None
    try:
        with contextlib.ExitStack() as stack:
            if quiet:
                paths.logs.mkdir(parents=True, exist_ok=True)
                log_file = paths.logs / f"run-{time.strftime('%Y%m%d-%H%M%S')}.log"
                stack.enter_context(contextlib.redirect_stdout(stack.enter_context(log_file.open("w"))))
            run_id = str(uuid.uuid4())
            # one run at a time from the command line, start to publication; waiting here says for whom
            # and stops at SIGINT or SIGTERM (Dagster's own wait for the writer slot did neither)
            stack.enter_context(
                writer_lock(paths.root, f"lifecycle run {run_id}", RUN_WAIT_SECONDS, _say, RUN_LOCK_FILE)
            )
            instance = stack.enter_context(_instance(paths, record))
            if record:  # runs the UI or its sensor started hold the slot, or held it when they died
                wait_for_writer_slot(instance, _say)
            if changed_only:  # every landed day: the ones changed since their last load are enough
                first, last = changed_range(paths) or (None, None)
            stack.enter_context(range_events_at_once())
            result = job.execute_in_process(
                run_id=run_id,
                instance=instance,
                tags=range_tags(first, last) if first is not None and last is not None else {},
                run_config=run_config(
                    paths, settings, log_level, progress, full_refresh, target, allow_empty_publish, quiet
                ),
                raise_on_error=False,
                asset_selection=selected_assets(job, target, ingest, days=first is not None),
            )
    except Exception as exc:
        # a full disk under the run history (SQLite) surfaced as a storage traceback naming no path
        if is_no_space(exc):
            raise no_space(exc, _written_places(paths)) from exc
        raise
    outcome = RunOutcome(
        success=result.success,
        first_day=first,
        last_day=last,
        run_id=result.run_id,
        settings=settings.dbt_vars(),
        log_file=log_file,
        nothing_changed=changed_only and first is None,
    )
    collect_outcome(result, outcome, paths)
    if target != DEFAULT_TARGET and result.success:
        outcome.published["exports"] = str(paths.spark_exports)
    return outcome


def selected_assets(job: Any, target: str, ingest: bool, days: bool = True) -> list[Any] | None:
    """The job's assets a run executes (None: all). Another engine than DuckDB leaves out the serving
    group, which reads the DuckDB marts; a run without ingest leaves out the ingest group; one without
    `days` to load leaves out all of it but the FX rates (their load compares every rate anyway; the
    audit of no days would check every landed day)."""
    from pipelines.defs.ingest.assets import FX_KEY, INGEST_GROUP
    from pipelines.defs.serving.assets import REPORT_KEY, SERVING_KEY

    if target == DEFAULT_TARGET and ingest and days:
        return None
    left_out = set() if target == DEFAULT_TARGET else {SERVING_KEY, REPORT_KEY}
    graph = job.asset_layer.asset_graph
    if not ingest or not days:
        ingesting = {key for key in graph.executable_asset_keys if graph.get(key).group_name == INGEST_GROUP}
        left_out |= ingesting if not ingest else ingesting - {FX_KEY}
    return [key for key in job.asset_layer.executable_asset_keys if key not in left_out]
