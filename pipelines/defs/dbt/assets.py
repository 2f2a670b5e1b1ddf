"""The dbt project as Dagster assets; dbt tests become asset checks.

No `from __future__ import annotations` here: Dagster inspects the context annotation at definition time.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines.defs.dbt.args import dbt_build_args
from pipelines.defs.resources import DBT_PROJECT_DIR, DUCKDB_WRITER_POOL, WarehouseResource

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


class DbtBuildConfig(dg.Config):
    """Lifecycle rule overrides for this run (dbt vars), e.g. {"lost_after_days": 180}."""

    vars: dict[str, Any] = {}  # noqa: RUF012 - a pydantic field: the default is copied per instance


class LifecycleTranslator(DagsterDbtTranslator):
    """Models keyed by schema and name (marts/accounts), grouped by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # meta.dagster.asset_key: raw/<stream>_events
        return dg.AssetKey([dbt_resource_props["config"].get("schema") or "main", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or "dbt"


def require_manifest(path: Path = MANIFEST) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"dbt manifest not found at {path}: run `make setup` (or `dbt parse` in dbt_project/) first"
        )
    return path


def build_dbt_assets() -> dg.AssetsDefinition:
    translator = LifecycleTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    @dbt_assets(
        manifest=require_manifest(),
        dagster_dbt_translator=translator,
        pool=DUCKDB_WRITER_POOL,
        name="lifecycle_dbt",
    )
    def lifecycle_dbt(
        context: dg.AssetExecutionContext,
        config: DbtBuildConfig,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ):
        warehouse.paths()  # exports LIFECYCLE_WAREHOUSE (absolute) for the dbt process
        yield from dbt.cli(dbt_build_args(config.vars), context=context).stream()

    return lifecycle_dbt
