"""The Dagster entry point: everything the `lifecycle` code location defines."""

import dagster as dg

from pipelines.defs.churn.assets import EFFECTS_KEY, churn_driver_effects
from pipelines.defs.dbt.assets import build_dbt_assets
from pipelines.defs.finance.assets import month_close_tables
from pipelines.defs.forecast.assets import FORECAST_KEYS, purchase_forecasts
from pipelines.defs.ingest.assets import account_changes, fx_rates, ingest_audit, stream_assets
from pipelines.defs.ingest.triggers import daily_schedule, landing_sensor, lifecycle_job
from pipelines.defs.progress import PROGRESS_LOGGER, RUN_LOG_LOGGER, progress_logger, run_log_logger
from pipelines.defs.quality.reconciliation import reconciliation_job, weekly_reconciliation
from pipelines.defs.resources import resources
from pipelines.defs.serving.assets import build_serving_asset, lifecycle_report

dbt_steps = build_dbt_assets()
marts = [key for step in dbt_steps for key in step.keys if key.path[0] == "marts"]

defs = dg.Definitions(
    assets=[
        *stream_assets,
        fx_rates,
        account_changes,
        ingest_audit,
        *month_close_tables,
        *dbt_steps,
        churn_driver_effects,
        purchase_forecasts,
        build_serving_asset([*marts, EFFECTS_KEY, *FORECAST_KEYS]),
        lifecycle_report,
    ],
    jobs=[lifecycle_job, reconciliation_job],
    schedules=[daily_schedule, weekly_reconciliation],
    sensors=[landing_sensor],
    resources=resources(),
    loggers={
        "console": dg.colored_console_logger,
        PROGRESS_LOGGER: progress_logger,
        RUN_LOG_LOGGER: run_log_logger,
    },
)
