"""The serving asset: after the dbt build, publish every mart for BI tools (exports and serving file).

No `from __future__ import annotations` here: Dagster inspects the context annotation at definition time.
"""

from typing import Any

import dagster as dg

from pipelines.defs.resources import DUCKDB_WRITER_POOL, WarehouseResource
from pipelines.lifecycle_settings import LifecycleSettings
from pipelines.serving.publish import SERVING_FILE, publish
from pipelines.serving.report import REPORT_FILE, build_report

SERVING_KEY = dg.AssetKey(["serving", "published_marts"])
REPORT_KEY = dg.AssetKey(["serving", "lifecycle_report"])


def build_serving_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=SERVING_KEY,
        deps=mart_keys,
        group_name="serving",
        pool=DUCKDB_WRITER_POOL,
        description="Every mart as <warehouse>/exports/<mart>.parquet and in the read-only "
        "<warehouse>/serving.duckdb, each replaced atomically after a successful build and stamped with "
        "the build's settings. BI tools read these, never the working database.",
    )
    def published_marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, lifecycle_settings: LifecycleSettings
    ) -> dg.MaterializeResult:
        with warehouse.writing("publish marts", context.log) as paths:
            stamp: dict[str, Any] = {"run_id": context.run_id, **lifecycle_settings.dbt_vars()}
            published = publish(paths.database, paths.exports, paths.root / SERVING_FILE, stamp)
        context.log.info(
            f"published {len(published.marts)} marts to {published.exports} and {published.serving_file}"
        )
        # each mart's row count shows on its own page in the UI (dbt's run cannot count: it holds the file)
        for mart, rows in published.marts.items():
            context.log_event(
                dg.AssetObservation(
                    asset_key=dg.AssetKey(["marts", mart]), metadata={"dagster/row_count": rows}
                )
            )
        return dg.MaterializeResult(
            metadata={
                "exports": dg.MetadataValue.path(str(published.exports)),
                "serving_file": dg.MetadataValue.path(str(published.serving_file)),
                "rows": dg.MetadataValue.json(published.marts),
            }
        )

    return published_marts


@dg.asset(
    key=REPORT_KEY,
    deps=[SERVING_KEY],
    group_name="serving",
    description="The offline HTML report (<warehouse>/reports/lifecycle_report.html): stages over time, "
    "the leaky bucket, cohorts, revenue by lifecycle class, NRR/GRR, churn drivers, key-account "
    "concentration and the at-risk list. Reads the serving file only, so it needs no writer slot.",
)
def lifecycle_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    paths = warehouse.paths()
    report = build_report(paths.root / SERVING_FILE, paths.reports / REPORT_FILE)
    context.log.info(f"wrote the report to {report.path}")
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(report.path)),
            "charts": dg.MetadataValue.json(report.charts),
            "at_risk_rows": report.at_risk_rows,
        }
    )
