"""Dagster's asset check of each stream's great-expectations suite (pipelines/quality/expectations.py)."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from pipelines.contract import StreamSchema
from pipelines.defs.quality.ingest_checks import EXPECTATIONS
from pipelines.quality.expectations import extract, validate_frame


def expectations_check(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, days: list[date]
) -> dg.AssetCheckResult:
    frame = extract(con, schema, days)
    if frame.empty:
        return dg.AssetCheckResult(check_name=EXPECTATIONS, passed=True, metadata={"rows_checked": 0})
    success, failed = validate_frame(schema, frame)
    return dg.AssetCheckResult(
        check_name=EXPECTATIONS,
        passed=success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_checked": len(frame), "failed_expectations": dg.MetadataValue.json(failed)},
    )
