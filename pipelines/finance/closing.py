"""`lifecycle close-month`: publish a month's finance figures as they are known now.

A close copies the month's rows of the built figures table into `finance.published_figures` with the
close time and the arrival-day cut-off (pipelines/finance/tables.py owns these tables).
Nothing is ever updated or deleted: closing a month again (`--reopen`) adds a new version, and the
`restatements` mart compares the newest version with today's figures. A close is refused when the marts
are older than the latest load (they would not be the figures as known now), when the month has not
ended by the as-of date, or when it has no figures.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from pipelines.errors import ConfigError, LifecycleError
from pipelines.warehouse.connections import transaction

FIGURES = "intermediate.int_finance_figures_unpivoted"
AS_OF = "intermediate.int_as_of_date_resolved"
RESTATEMENTS = "marts.restatements"


class CloseRefused(LifecycleError, ValueError):
    """The month cannot be closed now; the message says why and what to do."""


@dataclass(frozen=True)
class MonthClose:
    close_id: int
    month: date
    version: int
    closed_at: datetime
    arrival_cutoff: date
    marts_built_at: datetime
    closed_by: str
    figures: int
    restated_figures: int | None = None  # figures that differ now (from the last build's restatements)


def parse_month(text: str) -> date:
    """'2024-03' -> date(2024, 3, 1)."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ConfigError(f"not a month (YYYY-MM): {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    value = _one(con, sql, params)
    return value if isinstance(value, int) else 0


def _check_closable(con: duckdb.DuckDBPyConnection, month: date) -> tuple[datetime, date]:
    """The marts' build time and the arrival-day cut-off, or CloseRefused."""
    if not (_table_exists(con, FIGURES) and _table_exists(con, "finance.month_closes")):
        raise CloseRefused("there are no finance figures yet: run `lifecycle run` first")
    built_at = _one(con, f"select max(built_at) from {FIGURES}")
    last_load = _one(
        con,
        "select max(t) from (select max(finished_at) as t from raw.ingest_batches "
        "union all select max(ingested_at) from raw.fx_rates)",
    )
    if not isinstance(built_at, datetime):
        raise CloseRefused("there are no finance figures yet: run `lifecycle run` first")
    if isinstance(last_load, datetime) and last_load > built_at:
        raise CloseRefused(
            f"data was loaded at {last_load:%Y-%m-%d %H:%M:%S} after the marts were built "
            f"({built_at:%Y-%m-%d %H:%M:%S}): run `lifecycle run` first, so the close publishes what "
            "is known now"
        )
    as_of = _one(con, f"select as_of_date from {AS_OF}")
    if not isinstance(as_of, date) or _month_end(month) > as_of:
        raise CloseRefused(
            f"{month:%Y-%m} has not ended by the as-of date {as_of}: only a complete month can be closed"
        )
    cutoff = _one(con, "select max(arrival_date) from raw.ingest_batches where status = 'loaded'")
    if not isinstance(cutoff, date):
        raise CloseRefused("no arrival day has been loaded: run `lifecycle run` first")
    return built_at, cutoff


def close_month(
    con: duckdb.DuckDBPyConnection, month: date, *, reopen: bool = False, closed_by: str | None = None
) -> MonthClose:
    """Publish `month`'s figures; refuses a closed month unless `reopen`, which adds a new version."""
    with transaction(con):
        built_at, cutoff = _check_closable(con, month)
        previous = con.execute(
            "select max(version), max(closed_at) from finance.month_closes where month = ?", [month]
        ).fetchone()
        if previous and previous[0] is not None and not reopen:
            raise CloseRefused(
                f"{month:%Y-%m} was closed on {previous[1]:%Y-%m-%d %H:%M} (version {previous[0]}); "
                "give --reopen to close it again (the earlier close stays on record)"
            )
        version = (previous[0] or 0) + 1 if previous else 1
        close_id = _count(con, "select coalesce(max(close_id), 0) + 1 from finance.month_closes")
        con.execute(
            "insert into finance.published_figures select ?, month, mart, measure, currency, revenue_class, "
            f"figure_key, value from {FIGURES} where month = ?",
            [close_id, month],
        )
        figures = _count(con, "select count(*) from finance.published_figures where close_id = ?", [close_id])
        if figures == 0:
            raise CloseRefused(f"{month:%Y-%m} has no finance figures (no accounts or revenue yet)")
        closed_at = datetime.now(UTC)
        who = closed_by or getpass.getuser()
        con.execute(
            "insert into finance.month_closes values (?, ?, ?, ?, ?, ?, ?, ?)",
            [close_id, month, version, closed_at, cutoff, built_at, who, figures],
        )
    return MonthClose(close_id, month, version, closed_at, cutoff, built_at, who, figures)


def list_closes(con: duckdb.DuckDBPyConnection) -> list[MonthClose]:
    """Every close, oldest month first; restated_figures from the last build (None before one)."""
    if not _table_exists(con, "finance.month_closes"):
        return []
    restated = "null"
    if _table_exists(con, RESTATEMENTS):
        restated = f"(select count(*) from {RESTATEMENTS} as r where r.close_id = c.close_id)"
    rows = con.execute(
        "select close_id, month, version, closed_at, arrival_cutoff, marts_built_at, closed_by, figures, "
        f"{restated} from finance.month_closes as c order by month, version"
    ).fetchall()
    return [MonthClose(*row) for row in rows]
