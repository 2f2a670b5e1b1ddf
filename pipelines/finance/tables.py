"""The month-close tables (schema finance), owned here: `lifecycle close-month` appends to them and the
restatements mart reads them as a dbt source. Created with the raw tables, so every warehouse that dbt
builds has them; never replaced or truncated: what finance published stays."""

from __future__ import annotations

import duckdb


def create_finance_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists finance")
    con.execute("""
        create table if not exists finance.month_closes (
            close_id integer not null,
            month date not null,
            version integer not null,
            closed_at timestamp not null,
            arrival_cutoff date not null,
            marts_built_at timestamp not null,
            closed_by varchar not null,
            figures bigint not null
        )""")
    con.execute("""
        create table if not exists finance.published_figures (
            close_id integer not null,
            month date not null,
            mart varchar not null,
            measure varchar not null,
            currency varchar,
            revenue_class varchar,
            figure_key varchar not null,
            value decimal(38, 4) not null
        )""")
