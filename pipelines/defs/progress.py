"""Progress lines for a run started from the command line: each step as it starts and ends, and the dbt
build as its models finish, on stderr, so a long first load never looks stuck.

A Dagster logger: `lifecycle run` names it in its run config (UI runs do not, and keep the console logger).
It reads the Dagster event carried on each log record (attribute `dagster_meta`, set by Dagster's log
manager) and ignores every other message.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

import dagster as dg

from pipelines.defs.dbt.assets import DBT_AFTER_PYTHON_OP, DBT_OP, DBT_OPS

PROGRESS_LOGGER = "progress"
RUN_LOG_LOGGER = "run_log"
MODELS_PER_LINE = 10  # the dbt step reports every this many materialized models
DBT_STEPS = DBT_OPS

STEP_NAMES = {
    DBT_OP: "dbt build",
    DBT_AFTER_PYTHON_OP: "dbt build of the marts that read the forecasts",
    "raw__ingest_audit": "check the loaded days",
    "marts__churn_driver_effects": "fit the adjusted churn effects",
    "purchase_forecasts": "fit the purchase forecasts",
    "serving__published_marts": "publish the marts (exports, serving.duckdb)",
    "serving__lifecycle_report": "write the report",
}


def _step_name(step_key: str) -> str:
    if step_key in STEP_NAMES:
        return STEP_NAMES[step_key]
    return step_key.replace("__", "/").replace("raw/", "load ")


class ProgressHandler(logging.Handler):
    def __init__(self, stream: IO[str]) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.started: dict[str, float] = {}
        self.materialized: dict[str, int] = {}

    def _line(self, text: str) -> None:
        print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=self.stream, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        meta: Any = getattr(record, "dagster_meta", None)
        event = meta.get("dagster_event") if isinstance(meta, dict) else None
        if event is None or not event.step_key:
            return
        step, kind = event.step_key, event.event_type_value
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            self._line(f"{_step_name(step)} ...")
        elif kind == "ASSET_MATERIALIZATION" and step in DBT_STEPS:
            done = self.materialized[step] = self.materialized.get(step, 0) + 1
            if done % MODELS_PER_LINE == 0:
                self._line(f"{_step_name(step)}: {done} models built")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            took = time.monotonic() - self.started.get(step, time.monotonic())
            outcome = "done" if kind == "STEP_SUCCESS" else "FAILED"
            self._line(f"{_step_name(step)}: {outcome} in {took:.1f}s")


@dg.logger(
    config_schema={},
    description="One line per step start and end, and dbt model counts, on stderr (CLI runs).",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    # not registered with logging.getLogger: a registered logger would live (with what Dagster hangs on
    # it) until interpreter exit, where DuckDB's bindings then report leaked objects
    logger = logging.Logger(f"lifecycle.progress.{init_context.run_id}", logging.DEBUG)
    logger.addHandler(ProgressHandler(sys.stderr))
    return logger


@dg.logger(
    config_schema={"log_level": dg.Field(str, default_value="INFO")},
    description="Every message of the run, stack traces included, to standard output as it is when the run "
    "starts: `lifecycle run --quiet` points that at the run's log file, and silences the console logger.",
)
def run_log_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger(
        f"lifecycle.run_log.{init_context.run_id}", init_context.logger_config["log_level"]
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s - %(levelname)s - %(message)s"))
    logger.addHandler(handler)
    return logger
