"""The weekly reconciliation: a full rebuild into shadow schemas must equal the incremental tables
(pipelines/quality/reconcile.py). A difference fails the run, naming the tables;
`lifecycle run --full-refresh` then repairs the live tables."""

import dagster as dg

from pipelines.defs.resources import DUCKDB_WRITER_POOL, WarehouseResource
from pipelines.quality.reconcile import reconcile

RECONCILIATION_JOB = "reconciliation_job"


@dg.op(pool=DUCKDB_WRITER_POOL, description="Rebuild everything into <schema>_shadow and compare.")
def reconcile_with_full_rebuild(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> None:
    outcome = reconcile(warehouse.paths(), log=context.log.info)
    context.log.info(f"{len(outcome.tables)} tables compared with a full rebuild")
    if not outcome.equal:
        raise dg.Failure(
            description="incremental tables differ from a full rebuild: " + "; ".join(outcome.described()),
            metadata={"differences": dg.MetadataValue.json(outcome.differences)},
        )


@dg.job(name=RECONCILIATION_JOB, description="Prove the incremental tables equal a full rebuild.")
def reconciliation_job() -> None:
    reconcile_with_full_rebuild()


weekly_reconciliation = dg.ScheduleDefinition(
    job=reconciliation_job,
    cron_schedule="0 3 * * 0",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Sundays 03:00: rebuild every model from scratch beside the live tables and compare.",
)
