"""great-expectations 1.x suites derived from the event contract, run on pandas extracts of loaded rows.

GX has no DuckDB datasource, so a check pulls the accepted rows of the run's days into pandas. GX is
imported lazily: it is slow to import and only the check needs it. Dagster's check is
pipelines/defs/quality/expectations.py.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from pipelines.contract import StreamSchema
from pipelines.contract.currencies import ISO_4217
from pipelines.warehouse.connections import fill_days

CHECK_DAYS = "_check_days"  # the temp table of the days a check looks at
MAX_ROWS = 2_000_000  # larger batches are checked on a deterministic sample of this size


def build_suite(schema: StreamSchema) -> Any:
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=f"{schema.name}_events")
    for spec in schema.all_fields:
        if spec.required_for == ("*",):
            suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=spec.name))
        if spec.kind == "enum":
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeInSet(column=spec.name, value_set=list(spec.allowed))
            )
        elif spec.kind == "currency":
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeInSet(column=spec.name, value_set=list(ISO_4217))
            )
        elif spec.kind in ("decimal", "int"):
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=spec.name,
                    min_value=spec.minimum if spec.minimum is not None else 0,
                    max_value=spec.maximum,
                )
            )
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeUnique(column="event_id"))
    return suite


def validate_frame(schema: StreamSchema, frame: pd.DataFrame) -> tuple[bool, list[dict]]:
    """Run the stream's suite on a frame; returns (success, failed expectations with examples)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # a bar per metric otherwise
    batch = (
        context.data_sources.add_pandas("extract")
        .add_dataframe_asset(schema.name)
        .add_batch_definition_whole_dataframe("batch")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result = batch.validate(build_suite(schema), result_format="SUMMARY")
    failed = [
        {
            "expectation": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column"),
            "unexpected_count": r.result.get("unexpected_count"),
            "examples": [str(x) for x in (r.result.get("partial_unexpected_list") or [])[:5]],
        }
        for r in result.results
        if not r.success
    ]
    return result.success, failed


def extract(con: duckdb.DuckDBPyConnection, schema: StreamSchema, days: list[date]) -> pd.DataFrame:
    fill_days(con, days, CHECK_DAYS)
    cols = ", ".join(
        f"{name}::double as {name}" if spec.kind in ("decimal", "int") else name
        for name, spec in ((f.name, f) for f in schema.all_fields)
    )
    # DuckDB samples what FROM yields, before WHERE: the days are selected in a subquery first (sampling
    # the whole table checked a share of a day's rows, after a scan of the history on every run)
    return con.execute(f"""
        select * from (
            select {cols} from raw.{schema.raw_table} where arrival_date in (select d from {CHECK_DAYS})
        ) using sample reservoir({MAX_ROWS} rows) repeatable (7)""").df()
