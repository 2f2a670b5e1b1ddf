"""The progress lines a command-line run prints on stderr: each step's start and end, dbt's model count."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace

from pipelines.defs.progress import DBT_STEPS, MODELS_PER_LINE, ProgressHandler

DBT_STEP = DBT_STEPS[0]


def record(kind: str, step: str | None) -> logging.LogRecord:
    rec = logging.LogRecord("x", logging.DEBUG, __file__, 1, "message", None, None)
    rec.dagster_meta = {"dagster_event": SimpleNamespace(event_type_value=kind, step_key=step)}
    return rec


def test_steps_and_dbt_models_are_reported_and_other_messages_ignored():
    out = io.StringIO()
    handler = ProgressHandler(out)
    handler.emit(logging.LogRecord("x", logging.INFO, __file__, 1, "a plain message", None, None))
    handler.emit(record("STEP_START", "raw__sales_events"))
    handler.emit(record("STEP_SUCCESS", "raw__sales_events"))
    handler.emit(record("STEP_START", DBT_STEP))
    for _ in range(2 * MODELS_PER_LINE + 3):
        handler.emit(record("ASSET_MATERIALIZATION", DBT_STEP))
    handler.emit(record("STEP_FAILURE", DBT_STEP))
    handler.emit(record("RUN_SUCCESS", None))
    lines = [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines[:3] == ["load sales_events ...", lines[1], "dbt build ..."]
    assert lines[1].startswith("load sales_events: done in ")
    assert lines[3:5] == [
        f"dbt build: {MODELS_PER_LINE} models built",
        f"dbt build: {2 * MODELS_PER_LINE} models built",
    ]
    assert lines[5].startswith("dbt build: FAILED in ")
    assert len(lines) == 6
