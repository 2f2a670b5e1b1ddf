"""The purchase forecasts as a Dagster asset: BG/NBD and Gamma-Gamma fitted in Python on the dbt mart of
purchase days, written as three marts (pipelines/forecast/).

No `from __future__ import annotations` here: Dagster inspects the context annotation at definition time.
"""

from collections.abc import Iterator

import dagster as dg

from pipelines.dbt.args import DEFAULT_TARGET
from pipelines.defs.resources import DUCKDB_WRITER_POOL, LifecycleSettingsResource, WarehouseResource
from pipelines.forecast.accounts import Forecasts
from pipelines.forecast.tables import (
    ACCOUNTS_TABLE,
    BACKTEST_TABLE,
    FORECAST_MARTS,
    INPUT_MARTS,
    PARAMETERS_TABLE,
    TRACKING_TABLE,
    refit_exported_forecasts,
    refit_forecasts,
)

# The op fitting the forecasts; its name is how run config and the runner address it.
FORECAST_OP = "purchase_forecasts"
FORECAST_KEYS = [dg.AssetKey(["marts", table]) for table in FORECAST_MARTS]


class ForecastConfig(dg.Config):
    """Run config: the engine of the dbt step (`lifecycle run --target`), whose purchase days are fitted."""

    target: str = DEFAULT_TARGET


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=[dg.AssetKey(["marts", mart]) for mart in INPUT_MARTS],
            group_name="marts",
            description=description,
        )
        for key, description in zip(
            FORECAST_KEYS,
            (
                "The fitted BG/NBD and Gamma-Gamma parameters with standard errors, for the current fit and "
                "the backtest's (pipelines/forecast/).",
                "Per account with a purchase day: P(alive), expected purchase days and revenue over the "
                "forecast horizon, and the revenue at risk.",
                "The backtest: predictions calibrated forecast_holdout_days before the as-of date, beside "
                "what each account did since.",
                "The backtest week by week: cumulative predicted and actual repeat purchase days.",
            ),
            strict=True,
        )
    ],
    name=FORECAST_OP,
    pool=DUCKDB_WRITER_POOL,
)
def purchase_forecasts(
    context: dg.AssetExecutionContext,
    config: ForecastConfig,
    warehouse: WarehouseResource,
    lifecycle_settings: LifecycleSettingsResource,
) -> Iterator[dg.MaterializeResult]:
    horizon, holdout = lifecycle_settings.forecast_horizon_days, lifecycle_settings.forecast_holdout_days
    with warehouse.writing("fit purchase forecasts", context.log) as paths:
        if config.target == DEFAULT_TARGET:
            with warehouse.connect(context.log) as con:
                forecasts = refit_forecasts(con, horizon, holdout)
        else:  # the marts of another engine are its exports: the forecasts join them there
            forecasts = refit_exported_forecasts(paths.spark_exports, paths.spark_inputs, horizon, holdout)
    for note in forecasts.notes:
        context.log.warning(f"purchase forecasts: {note}")
    rows = {
        PARAMETERS_TABLE: len(forecasts.parameters),
        ACCOUNTS_TABLE: len(forecasts.accounts),
        BACKTEST_TABLE: len(forecasts.backtest),
        TRACKING_TABLE: len(forecasts.tracking),
    }
    summary = _summary(forecasts)
    for key in FORECAST_KEYS:
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "dagster/row_count": rows[key.path[-1]],
                "not_estimated": dg.MetadataValue.json(forecasts.notes),
                **summary,
            },
        )


def _summary(forecasts: Forecasts) -> dict[str, float]:
    """Totals an operator reads in the UI: expected revenue, revenue at risk, backtest error."""
    accounts, backtest = forecasts.accounts, forecasts.backtest
    summary = {
        "expected_revenue": float(accounts["expected_revenue"].sum(skipna=True)) if len(accounts) else 0.0,
        "revenue_at_risk": float(accounts["revenue_at_risk"].sum(skipna=True)) if len(accounts) else 0.0,
    }
    if len(backtest) and backtest["predicted_repeat_purchase_days"].notna().all():
        actual = float(backtest["actual_repeat_purchase_days"].sum())
        predicted = float(backtest["predicted_repeat_purchase_days"].sum())
        summary["backtest_purchase_days_error"] = (predicted - actual) / actual if actual else float("nan")
    return summary
