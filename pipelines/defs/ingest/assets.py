"""Ingest assets: raw.<stream>_events per arrival day, and raw.fx_rates."""

from datetime import date

import dagster as dg

from pipelines.contract import STREAMS, StreamSchema
from pipelines.defs.partitions import arrival_days
from pipelines.defs.quality import expectations, ingest_checks
from pipelines.defs.resources import DUCKDB_WRITER_POOL, LifecycleSettingsResource, WarehouseResource
from pipelines.raw.fx import load_fx_rates
from pipelines.raw.loader import LoadSummary, landed_days, load_days, loaded_days

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"

INGEST_GROUP = "ingest"


class IngestConfig(dg.Config):
    max_quarantine_rate: float = 0.05  # quarantine_rate check warns above this share of rows
    # Whole days per transaction, up to this many days and MiB of landing files (one day may exceed
    # it): bounds memory on long backfills, while few transactions keep them fast. No MiB given: 1/32 of
    # DuckDB's memory limit, 64 to 1,024 (pipelines/raw/loader.py: transaction_bytes).
    days_per_transaction: int = 366
    mib_per_transaction: int | None = None


def raw_key(stream: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", STREAMS[stream].raw_table])


FX_KEY = dg.AssetKey(["raw", "fx_rates"])

# Appended to by every stream's load (pipelines/raw/writing.py) and the FX load (pipelines/raw/fx.py);
# declared so the UI shows what it holds.
account_changes = dg.AssetSpec(
    key=["raw", "account_changes"],
    group_name=INGEST_GROUP,
    kinds={"duckdb"},
    description="The accounts each load transaction changed, with its load id: the watermark "
    "incremental dbt builds recompute from (append-only, written by every stream's ingest and by the FX "
    "load for the accounts whose revenue lines changed rate days convert).",
)


def _range_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    window = context.partition_time_window
    # The window's end is exclusive (midnight after the last day).
    return window.start.date(), date.fromordinal(window.end.date().toordinal() - 1)


def _summary_metadata(summary: LoadSummary) -> dict:
    return {
        "days_loaded": summary.days,
        "files": summary.files,
        "rows_read": summary.rows_read,
        "rows_accepted": summary.rows_accepted,
        "rows_duplicate": summary.rows_duplicate,
        "rows_quarantined": summary.rows_quarantined,
        "unreadable_files": summary.unreadable_files,
        "seconds": round(summary.seconds, 2),
    }


def build_stream_asset(schema: StreamSchema) -> dg.AssetsDefinition:
    key = raw_key(schema.name)

    @dg.asset(
        key=key,
        group_name=INGEST_GROUP,
        partitions_def=arrival_days,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_WRITER_POOL,
        kinds={"duckdb"},
        description=f"Accepted {schema.name} events, append-only, one partition per arrival day. "
        "Invalid rows and conflicts go to raw.quarantine; every file is audited in "
        "raw.ingest_batches (checked by raw/ingest_audit).",
    )
    def _ingest(
        context: dg.AssetExecutionContext,
        config: IngestConfig,
        warehouse: WarehouseResource,
        # validated here, so a bad setting fails before any load
        lifecycle_settings: LifecycleSettingsResource,
    ) -> dg.MaterializeResult:
        first, last = _range_days(context)
        with (
            warehouse.writing(f"ingest {schema.name}", context.log) as paths,
            warehouse.connect(context.log) as con,
        ):
            # a day loaded before whose folder has gone since is emptied: the raw layer follows the files
            days = sorted(
                set(landed_days(paths.landing, schema.name, first, last))
                | set(loaded_days(con, schema.name, first, last))
            )
            context.log.info(f"{schema.name}: {len(days)} arrival day(s) between {first} and {last}")

            def progress(done: int, total: int) -> None:
                context.log.info(f"{schema.name}: {done}/{total} days loaded")

            summary = load_days(
                con,
                paths.landing,
                schema,
                days,
                config.days_per_transaction,
                config.mib_per_transaction * 2**20 if config.mib_per_transaction is not None else None,
                progress,
            )
        return dg.MaterializeResult(metadata=_summary_metadata(summary))

    return _ingest


def run_arrival_days(context: dg.AssetExecutionContext) -> tuple[date, date] | None:
    """The arrival days the current run loads (from its partition tags); None = not a partitioned run."""
    tags = context.run.tags
    if RANGE_START_TAG in tags:
        return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
    if PARTITION_TAG in tags:
        day = date.fromisoformat(tags[PARTITION_TAG])
        return day, day
    return None


AUDIT_KEY = dg.AssetKey(["raw", "ingest_audit"])


def _audit_check_specs() -> list[dg.AssetCheckSpec]:
    # Checks sit on this unpartitioned asset, one set per stream: attached to the daily-partitioned
    # ingest assets, Dagster would plan every check for every day of a long backfill.
    return [
        dg.AssetCheckSpec(f"{stream}_{name}", asset=AUDIT_KEY, description=f"{stream}: {text}")
        for stream in STREAMS
        for name, text in ingest_checks.CHECK_DOCS.items()
    ]


@dg.asset(
    key=AUDIT_KEY,
    group_name=INGEST_GROUP,
    pool=DUCKDB_WRITER_POOL,
    kinds={"duckdb"},
    deps=[raw_key(s) for s in STREAMS],
    check_specs=_audit_check_specs(),
    description="The ingest audit of the arrival days this run loaded: raw.ingest_batches per stream and "
    "day, with the checks every load must pass (audit identity, quarantine rate, "
    "unreadable files, great-expectations suite).",
)
def ingest_audit(
    context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    window = run_arrival_days(context)
    results, metadata = [], {}
    with warehouse.writing("ingest audit", context.log) as paths, warehouse.connect(context.log) as con:
        for stream, schema in STREAMS.items():
            days = landed_days(paths.landing, stream, *(window or (None, None)))
            checks = [
                ingest_checks.rows_balance(con, stream, days),
                ingest_checks.quarantine_rate(con, stream, days, config.max_quarantine_rate),
                ingest_checks.no_unreadable_files(con, stream, days),
                expectations.expectations_check(con, schema, days),
            ]
            results += [
                dg.AssetCheckResult(
                    check_name=f"{stream}_{c.check_name}",
                    passed=c.passed,
                    severity=c.severity,
                    metadata=c.metadata,
                    description=c.description,
                )
                for c in checks
            ]
            metadata[f"{stream}_days_checked"] = len(days)
    return dg.MaterializeResult(metadata=metadata, check_results=results)


@dg.asset(
    key=FX_KEY,
    group_name=INGEST_GROUP,
    pool=DUCKDB_WRITER_POOL,
    kinds={"duckdb"},
    description="Daily FX rates (units of currency per 1 base currency) from landing/fx_rates/*.csv; "
    "replaced whole on every load.",
)
def fx_rates(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    lifecycle_settings: LifecycleSettingsResource,  # validated here, so a bad setting fails before any load
) -> dg.MaterializeResult:
    with warehouse.writing("fx rates", context.log) as paths, warehouse.connect(context.log) as con:
        stats = load_fx_rates(con, paths.landing)
    context.log.info(f"fx_rates: {stats}")
    return dg.MaterializeResult(metadata=stats)


stream_assets = [build_stream_asset(schema) for schema in STREAMS.values()]
