"""DDL of the finance schema: month closes and the figures each published. Append-only; dbt reads them
(sources `finance.*`) to list restatements, and never writes them."""

from __future__ import annotations

import duckdb

DDL = (
    "create schema if not exists finance",
    """create table if not exists finance.month_closes (
        close_id integer not null,
        month date not null,              -- first day of the closed month
        version integer not null,         -- 1, then 2, ... for each --reopen
        closed_at timestamptz not null,
        arrival_cutoff date not null,     -- the latest arrival day loaded when the month was closed
        marts_built_at timestamptz not null,
        closed_by varchar not null,
        figures bigint not null
    )""",
    """create table if not exists finance.published_figures (
        close_id integer not null,
        month date not null,
        mart varchar not null,
        measure varchar not null,
        currency varchar,
        revenue_class varchar,
        figure_key varchar not null,
        value decimal(38, 4) not null
    )""",
)


def create_finance_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)
