"""The adjusted churn-driver effects as a Dagster asset: fitted in Python on the dbt mart of observations.

No `from __future__ import annotations` here: Dagster inspects the context annotation at definition time.
"""

import dagster as dg

from pipelines.churn.effects import Effect, fit_effects
from pipelines.churn.tables import (
    EFFECTS_TABLE,
    export_effects,
    read_exported_observations,
    refit_effects,
)
from pipelines.dbt.args import DEFAULT_TARGET
from pipelines.defs.resources import DUCKDB_WRITER_POOL, WarehouseResource

EFFECTS_KEY = dg.AssetKey(["marts", EFFECTS_TABLE])
OBSERVATIONS_KEY = dg.AssetKey(["marts", "churn_observations"])


class EffectsConfig(dg.Config):
    """Run config: the engine of the dbt step (`lifecycle run --target`), whose observations are fitted."""

    target: str = DEFAULT_TARGET


@dg.asset(
    key=EFFECTS_KEY,
    deps=[OBSERVATIONS_KEY],
    group_name="marts",
    pool=DUCKDB_WRITER_POOL,
    description="Why customers leave, other things equal: per churn driver and band, the risk ratio of "
    "becoming lost against the driver's reference band, adjusted for every other driver, purchase rhythm, "
    "tenure and quarter, with a 95% interval clustered by account (pipelines/churn/effects.py).",
)
def churn_driver_effects(
    context: dg.AssetExecutionContext, config: EffectsConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.writing("fit churn driver effects", context.log) as paths:
        if config.target == DEFAULT_TARGET:
            with warehouse.connect(context.log) as con:
                observations, effects = refit_effects(con)
        else:  # the marts of another engine are its exports: the effects join them there
            exported = read_exported_observations(paths.spark_exports)
            observations, effects = len(exported), fit_effects(exported)
            export_effects(paths.spark_exports, effects)
    return dg.MaterializeResult(metadata=_described(context, observations, effects))


def _described(context: dg.AssetExecutionContext, observations: int, effects: list[Effect]) -> dict:
    unestimated = {f"{e.driver}={e.band}": e.note for e in effects if e.note is not None}
    if unestimated:
        context.log.warning(
            f"{len(unestimated)} of {len(effects)} churn driver bands have no adjusted effect: "
            + "; ".join(f"{band} ({why})" for band, why in unestimated.items())
        )
    return {
        "observations": observations,
        "bands": len(effects),
        "not_estimated": dg.MetadataValue.json(unestimated),
        "dagster/row_count": len(effects),
    }
