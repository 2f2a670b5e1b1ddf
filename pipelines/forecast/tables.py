"""The forecast marts, owned here (not by dbt): `purchase_model_parameters`, `account_forecasts`,
`forecast_backtest` and `forecast_tracking`, replaced together after every fit. Their contract is
documented by the dbt exposure of each name (dbt_project/models/marts/_marts__exposures.yml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.config.paths import spark_input_file
from pipelines.forecast.accounts import Forecasts, forecast
from pipelines.warehouse.frames import Columns, export_tables, read_exported, replace_tables

PARAMETERS_TABLE = "purchase_model_parameters"
ACCOUNTS_TABLE = "account_forecasts"
BACKTEST_TABLE = "forecast_backtest"
TRACKING_TABLE = "forecast_tracking"

FORECAST_MARTS: dict[str, Columns] = {
    PARAMETERS_TABLE: (
        ("fit", "varchar not null"),
        ("calibration_end", "date not null"),
        ("model", "varchar not null"),
        ("parameter", "varchar not null"),
        ("estimate", "double"),
        ("std_error", "double"),
        ("log_likelihood", "double"),
        ("accounts", "bigint not null"),
        ("time_unit", "varchar not null"),
        ("note", "varchar"),
    ),
    ACCOUNTS_TABLE: (
        ("account_id", "varchar not null"),
        ("as_of_date", "date not null"),
        ("repeat_purchase_days", "bigint not null"),
        ("recency_days", "bigint not null"),
        ("age_days", "bigint not null"),
        ("average_repeat_value", "double"),
        ("p_alive", "double"),
        ("expected_purchase_days", "double"),
        ("expected_value_per_purchase", "double"),
        ("expected_revenue", "double"),
        ("revenue_at_risk", "double"),
        ("current_stage", "varchar"),
    ),
    BACKTEST_TABLE: (
        ("account_id", "varchar not null"),
        ("calibration_end", "date not null"),
        ("holdout_end", "date not null"),
        ("p_alive_at_calibration_end", "double"),
        ("predicted_repeat_purchase_days", "double"),
        ("actual_repeat_purchase_days", "bigint not null"),
        ("predicted_revenue", "double"),
        ("actual_revenue", "double not null"),
    ),
    TRACKING_TABLE: (
        ("calibration_end", "date not null"),
        ("day", "date not null"),
        ("days_since_calibration", "bigint not null"),
        ("predicted_repeat_purchase_days", "double not null"),
        ("actual_repeat_purchase_days", "bigint not null"),
    ),
}

# the dbt marts the forecasts are computed from
INPUT_MARTS = ("purchase_days", "lifecycle_history")

_STAGES = "select account_id, stage as current_stage from marts.lifecycle_history where valid_to is null"


def _tables(forecasts: Forecasts) -> dict[str, tuple[Columns, pd.DataFrame]]:
    frames = {
        PARAMETERS_TABLE: forecasts.parameters,
        ACCOUNTS_TABLE: forecasts.accounts,
        BACKTEST_TABLE: forecasts.backtest,
        TRACKING_TABLE: forecasts.tracking,
    }
    return {table: (FORECAST_MARTS[table], frames[table]) for table in FORECAST_MARTS}


def _fitted(
    purchase_days: pd.DataFrame, stages: pd.DataFrame, horizon_days: int, holdout_days: int
) -> Forecasts:
    if purchase_days.empty:
        empty = {
            table: pd.DataFrame(columns=[c for c, _ in FORECAST_MARTS[table]]) for table in FORECAST_MARTS
        }
        return Forecasts(
            empty[PARAMETERS_TABLE],
            empty[ACCOUNTS_TABLE],
            empty[BACKTEST_TABLE],
            empty[TRACKING_TABLE],
            ["no purchase day up to the as-of date: nothing to forecast"],
        )
    as_of = pd.Timestamp(purchase_days["as_of_date"].iloc[0]).date()
    return forecast(purchase_days, stages, as_of, horizon_days, holdout_days)


def refit_forecasts(con: duckdb.DuckDBPyConnection, horizon_days: int, holdout_days: int) -> Forecasts:
    """Fit on the warehouse's `purchase_days` and replace the three marts."""
    purchase_days = con.execute(
        "select account_id, purchase_date, revenue, as_of_date from marts.purchase_days"
    ).df()
    stages = con.execute(_STAGES).df()
    forecasts = _fitted(purchase_days, stages, horizon_days, holdout_days)
    replace_tables(con, "marts", _tables(forecasts))
    return forecasts


def refit_exported_forecasts(exports: Path, inputs: Path, horizon_days: int, holdout_days: int) -> Forecasts:
    """The same on the marts another engine exported; the forecasts are exported beside them, and
    `account_forecasts` is written again as that engine's input (pipelines/config/paths.py; the dbt
    models after this step read it)."""
    purchase_days = read_exported(exports, "purchase_days")
    history = read_exported(exports, "lifecycle_history")
    stages = history[history["valid_to"].isna()].rename(columns={"stage": "current_stage"})
    forecasts = _fitted(purchase_days, stages, horizon_days, holdout_days)
    tables = _tables(forecasts)
    export_tables(exports, tables)
    target = spark_input_file(inputs, "marts", ACCOUNTS_TABLE)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = exports / ACCOUNTS_TABLE / f"{ACCOUNTS_TABLE}.parquet"
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(written, partial)
    partial.replace(target)
    return forecasts
