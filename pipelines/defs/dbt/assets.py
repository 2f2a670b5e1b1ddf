"""The dbt project as Dagster assets; dbt tests become asset checks.

No `from __future__ import annotations` here: Dagster inspects the context annotation at definition time.
"""

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from pipelines.config.engine import engine_settings
from pipelines.config.paths import WarehousePaths
from pipelines.dbt.args import DEFAULT_TARGET, dbt_build_args, warehouse_var
from pipelines.dbt.project import DBT_PROJECT_DIR, PROFILES_DIR, prepare_manifest
from pipelines.defs.dbt.in_process import build_in_process
from pipelines.defs.resources import DUCKDB_WRITER_POOL, LifecycleSettingsResource, WarehouseResource
from pipelines.serving.builds import record_build
from pipelines.spark.session import claim_session

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=PROFILES_DIR)
# The ops that run `dbt build`; their names are how run config and the runner address them. The models
# that read what Python writes in the same run (the purchase forecasts) are built by a second dbt step,
# after the Python step: dbt cannot run Python between its models on every engine.
DBT_OP = "lifecycle_dbt"
DBT_AFTER_PYTHON_OP = "lifecycle_dbt_after_forecasts"
DBT_OPS = (DBT_OP, DBT_AFTER_PYTHON_OP)
READS_PYTHON_MARTS = "source:forecasts+"


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step (`lifecycle run --full-refresh`, or the launchpad in the UI)."""

    full_refresh: bool = False  # rebuild every model from scratch, not only the accounts loads touched
    # the engine: duckdb (the warehouse file) or spark (the same models on Apache Spark, docs/spark.md)
    target: str = DEFAULT_TARGET


class LifecycleTranslator(DagsterDbtTranslator):
    """Models keyed by schema and name (marts/accounts), grouped by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # meta.dagster.asset_key: raw/<stream>_events
        return dg.AssetKey([dbt_resource_props["config"].get("schema") or "main", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or "dbt"


def prepare_spark_build(paths: WarehousePaths, log: Any) -> tuple[Path, dict[str, str]]:
    """Export the dbt sources for Spark; Spark's own dbt target folder, and the vars naming its jars."""
    from pipelines.spark.inputs import export_inputs
    from pipelines.spark.session import spark_vars

    counts = export_inputs(paths.database, paths.spark_inputs)
    log.info(f"exported the dbt sources for Spark to {paths.spark_inputs}: {counts}")
    return paths.spark / "dbt", spark_vars(os.environ)


def builds_in_process(paths: WarehousePaths, target: str, profile_vars: dict[str, str]) -> bool:
    """Does the dbt step build in this process? On DuckDB always; on Spark when this process's Spark
    session is not yet started or serves this warehouse with these settings (`profile_vars`: the vars
    profiles.yml reads), else in a subprocess."""
    return target == DEFAULT_TARGET or claim_session(f"{paths.root} {sorted(profile_vars.items())}")


def build_dbt_assets() -> list[dg.AssetsDefinition]:
    """The dbt project as two steps: every model but those reading the Python marts, then those."""
    return [
        _dbt_step(DBT_OP, exclude=READS_PYTHON_MARTS, records_the_build=False),
        _dbt_step(DBT_AFTER_PYTHON_OP, select=READS_PYTHON_MARTS, records_the_build=True),
    ]


def _dbt_step(
    name: str, records_the_build: bool, select: str = "fqn:*", exclude: str | None = None
) -> dg.AssetsDefinition:
    translator = LifecycleTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    @dbt_assets(
        manifest=prepare_manifest(),
        select=select,
        exclude=exclude,
        dagster_dbt_translator=translator,
        pool=DUCKDB_WRITER_POOL,
        name=name,
        project=DBT_PROJECT,
    )
    def lifecycle_dbt(
        context: dg.AssetExecutionContext,
        config: DbtBuildConfig,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        lifecycle_settings: LifecycleSettingsResource,
    ) -> Iterator[Any]:
        context.log.info(f"lifecycle settings: {lifecycle_settings.dbt_vars()}")
        with warehouse.writing("dbt build", context.log) as paths:
            target_path = paths.dbt_target
            # profiles.yml reads the engine settings (validated values, or the defaults) from vars
            profile_vars = engine_settings(paths.root).dbt_vars()
            spark: dict[str, str] = {}
            if config.target != DEFAULT_TARGET:
                target_path, spark = prepare_spark_build(paths, context.log)
                profile_vars |= spark
            args = dbt_build_args(
                lifecycle_settings.changed_vars(),
                warehouse_var(paths.root),
                full_refresh=config.full_refresh,
                target=config.target,
                profile_vars=profile_vars,
            )
            # one target folder per warehouse: dbt parses the project in full only when it changed;
            # both raise when dbt failed: only a whole build is recorded
            if builds_in_process(paths, config.target, profile_vars):
                yield from build_in_process(context, dbt, args, target_path, config.target, spark)
            else:
                yield from dbt.cli(args, context=context, target_path=target_path).stream()
            if records_the_build and config.target == DEFAULT_TARGET:
                with warehouse.connect(context.log) as con:
                    record_build(con, context.run_id, lifecycle_settings.dbt_vars())

    return lifecycle_dbt
