"""The serving asset: after the dbt build, publish every mart for BI tools (exports and serving file).

No `from __future__ import annotations` here: Dagster inspects the context annotation at definition time.
"""

from typing import Any

import dagster as dg
import duckdb

from pipelines.defs.resources import DUCKDB_WRITER_POOL, LifecycleSettingsResource, WarehouseResource
from pipelines.serving.builds import built_by, latest_build
from pipelines.serving.publish import publish
from pipelines.serving.report import build_report

SERVING_KEY = dg.AssetKey(["serving", "published_marts"])
REPORT_KEY = dg.AssetKey(["serving", "lifecycle_report"])


class PublishConfig(dg.Config):
    """Run config of the publishing step (`lifecycle run --allow-empty-publish`)."""

    # publish a build without accounts even over a publication that has some (an as-of date before every
    # event empties every mart; by default that build is refused, and readers keep the last good one)
    allow_empty: bool = False


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
        context: dg.AssetExecutionContext,
        config: PublishConfig,
        warehouse: WarehouseResource,
        lifecycle_settings: LifecycleSettingsResource,
    ) -> dg.MaterializeResult:
        with warehouse.writing("publish marts", context.log) as paths:
            with duckdb.connect(str(paths.database), read_only=True) as con:
                build, own = latest_build(con), built_by(con, context.run_id)
            if own and build is not None and build.run_id != context.run_id:
                # another run built after this one: its marts are not this run's build, and that run
                # publishes them itself
                context.log.warning(
                    f"not published: the warehouse now holds the build of run {build.run_id} "
                    f"({build.built_at:%Y-%m-%d %H:%M:%S}), which replaced this run's build; that run "
                    "publishes it"
                )
                return dg.MaterializeResult(metadata={"published": False, "superseded_by": build.run_id})
            stamp: dict[str, Any] = (
                build.stamp()
                if build is not None
                else {"run_id": context.run_id, **lifecycle_settings.dbt_vars()}
            )
            published = publish(paths.database, paths, stamp, allow_empty=config.allow_empty)
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
                "published": True,
                "run_id_published": stamp["run_id"],
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
    report = build_report(paths.serving_file, paths.report)
    context.log.info(f"wrote the report to {report.path}")
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(report.path)),
            "charts": dg.MetadataValue.json(report.charts),
            "at_risk_rows": report.at_risk_rows,
        }
    )
