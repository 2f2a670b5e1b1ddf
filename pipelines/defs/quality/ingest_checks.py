"""Checks on the arrival days a run loaded. Each returns a Dagster AssetCheckResult.

They read the audit and raw tables only, so they can be tested against a known-bad warehouse.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from pipelines.quality.expectations import CHECK_DAYS
from pipelines.warehouse.connections import fill_days

ROWS_BALANCE = "rows_balance"
QUARANTINE_RATE = "quarantine_rate"
NO_UNREADABLE_FILES = "no_unreadable_files"
EXPECTATIONS = "expectations"


CHECK_DOCS = {
    ROWS_BALANCE: "every file: rows_read = rows_accepted + rows_duplicate + rows_quarantined.",
    QUARANTINE_RATE: "share of rows quarantined stays under the configured threshold (warns).",
    NO_UNREADABLE_FILES: "no landing file of the loaded days was unreadable.",
    EXPECTATIONS: "great-expectations suite (from the event contract) on the accepted rows.",
}


def rows_balance(con: duckdb.DuckDBPyConnection, stream: str, days: list[date]) -> dg.AssetCheckResult:
    fill_days(con, days, CHECK_DAYS)
    bad = con.execute(
        f"""
        select source_file, rows_read, rows_accepted, rows_duplicate, rows_quarantined
        from raw.ingest_batches
        where stream = $s and arrival_date in (select d from {CHECK_DAYS})
          and rows_read <> rows_accepted + rows_duplicate + rows_quarantined
        order by source_file""",
        {"s": stream},
    ).fetchall()
    return dg.AssetCheckResult(
        check_name=ROWS_BALANCE,
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "unbalanced_files": len(bad),
            "examples": dg.MetadataValue.json([list(map(str, r)) for r in bad[:5]]),
        },
        description=None
        if not bad
        else f"{len(bad)} file(s) where read != accepted + duplicate + quarantined",
    )


def quarantine_rate(
    con: duckdb.DuckDBPyConnection, stream: str, days: list[date], max_rate: float
) -> dg.AssetCheckResult:
    fill_days(con, days, CHECK_DAYS)
    totals = con.execute(
        f"""
        select coalesce(sum(rows_read), 0), coalesce(sum(rows_quarantined), 0) from raw.ingest_batches
        where stream = $s and arrival_date in (select d from {CHECK_DAYS})""",
        {"s": stream},
    ).fetchone()
    read, quarantined = totals if totals else (0, 0)
    rate = quarantined / read if read else 0.0
    return dg.AssetCheckResult(
        check_name=QUARANTINE_RATE,
        passed=rate <= max_rate,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_read": int(read),
            "rows_quarantined": int(quarantined),
            "rate": round(rate, 6),
            "threshold": max_rate,
        },
    )


def no_unreadable_files(con: duckdb.DuckDBPyConnection, stream: str, days: list[date]) -> dg.AssetCheckResult:
    fill_days(con, days, CHECK_DAYS)
    rows = con.execute(
        f"""
        select source_file, error from raw.ingest_batches
        where stream = $s and status = 'unreadable' and arrival_date in (select d from {CHECK_DAYS})
        order by source_file""",
        {"s": stream},
    ).fetchall()
    return dg.AssetCheckResult(
        check_name=NO_UNREADABLE_FILES,
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "unreadable_files": len(rows),
            "files": dg.MetadataValue.json(dict(rows[:20])),
        },
        description="; ".join(f"{f}: {e}" for f, e in rows[:3]) or None,
    )
