"""DDL of the raw layer.

Per stream: `<stream>_received`, the append log of every valid row received (with its arrival day, file
and row), and `<stream>_events`, derived from it: the first copy of each event_id in knowledge order.
Beside them: the quarantine (invalid rows and conflicts), the per-file ingest audit, the FX rates,
`account_changes`, the accounts each load may have changed: what incremental dbt builds recompute, and
`layout`, the version of the stored content hashes.
No PRIMARY KEY or UNIQUE constraints: DuckDB holds such indexes in memory and loads slow down.
"""

from __future__ import annotations

import duckdb

from pipelines.contract import STREAMS, StreamSchema
from pipelines.errors import Refused
from pipelines.finance.tables import create_finance_tables
from pipelines.raw.content_hash import CONTENT_HASH_VERSION, content_hash_expr
from pipelines.warehouse.connections import transaction

SQL_TYPES = {
    "string": "varchar",
    "enum": "varchar",
    "currency": "varchar",
    "timestamp": "timestamptz",
    "decimal": "decimal(20, 4)",
    "int": "integer",
}

BOOKKEEPING_COLUMNS = (
    ("extra_fields", "json"),  # unknown input columns, kept as a JSON object
    ("content_hash", "varchar"),  # of the normalised content: tells a duplicate from a conflict
    ("arrival_date", "date"),  # knowledge time: the landing folder the event came in
    ("source_file", "varchar"),
    ("source_row", "bigint"),
    ("ingested_at", "timestamptz"),
    ("load_id", "bigint"),  # the load transaction that received the row: the watermark of incremental builds
)


def date_flag_columns(schema: StreamSchema) -> list[tuple[str, str]]:
    """`<field>_is_date`: the source gave a calendar date, not an instant."""
    return [(f"{f.name}_is_date", "boolean") for f in schema.all_fields if f.kind == "timestamp"]


def event_columns(schema: StreamSchema) -> list[tuple[str, str]]:
    return (
        [(f.name, SQL_TYPES[f.kind]) for f in schema.all_fields]
        + date_flag_columns(schema)
        + list(BOOKKEEPING_COLUMNS)
    )


def received_table(schema: StreamSchema) -> str:
    return f"raw.{schema.name}_received"


def events_table(schema: StreamSchema) -> str:
    return f"raw.{schema.raw_table}"


class OldRawLayout(Refused):
    """The database holds raw tables of an earlier layout; the landed files can rebuild them."""


def _refuse_old_layout(con: duckdb.DuckDBPyConnection) -> None:
    """raw.quarantine without the column `kind` is the layout before the received log."""
    layout = con.execute(
        "select count(*), count(*) filter (where column_name = 'kind') from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'quarantine'"
    ).fetchone()
    if layout and layout[0] and not layout[1]:
        raise OldRawLayout(
            "the raw tables in this warehouse have an earlier layout: delete lifecycle.duckdb and run "
            "`lifecycle run` again (the landing files are the source; nothing is lost)"
        )


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every table the dbt project reads as a source: the raw layer's, and the month-close tables."""
    _refuse_old_layout(con)
    create_finance_tables(con)
    con.execute("create schema if not exists raw")
    for schema in STREAMS.values():
        cols = ", ".join(f"{name} {sql_type}" for name, sql_type in event_columns(schema))
        for table in (received_table(schema), events_table(schema)):
            con.execute(f"create table if not exists {table} ({cols})")
            # a field or column added to the contract since the table was made (load ids, the account
            # attributes) is null on the rows stored before; writers name their columns, so order is free
            for name, sql_type in event_columns(schema):
                con.execute(f"alter table {table} add column if not exists {name} {sql_type}")
    con.execute("create sequence if not exists raw.load_ids start 1")
    con.execute("""
        create table if not exists raw.account_changes (
            load_id bigint not null,        -- raw.load_ids: one per load transaction, increasing
            stream varchar not null,        -- sales | service | contact | fx_rates
            account_id varchar not null     -- an account whose stored events (or FX rates) this load changed
        )""")
    con.execute("""
        create table if not exists raw.quarantine (
            stream varchar not null,
            arrival_date date not null,
            source_file varchar not null,
            source_row bigint,
            event_id varchar,
            kind varchar not null,        -- invalid | conflict
            reason varchar not null,
            payload varchar,              -- the original record as read (JSON text, or the raw line)
            conflicts_with_arrival_date date,  -- for conflicts: where the stored version came from
            conflicts_with_file varchar,
            conflicts_with_row bigint,
            ingested_at timestamptz not null
        )""")
    con.execute("""
        create table if not exists raw.ingest_batches (
            stream varchar not null,
            arrival_date date not null,
            source_file varchar not null,
            file_format varchar,
            content_hash varchar not null,  -- sha256 of the file's bytes
            rows_read bigint not null,      -- records in the file, counted from the file itself
            rows_accepted bigint not null,  -- the stored copy of their event_id
            rows_duplicate bigint not null, -- same event_id and content as the stored copy
            rows_quarantined bigint not null,  -- rows_invalid + rows_conflict
            rows_invalid bigint not null,
            rows_conflict bigint not null,
            status varchar not null,        -- loaded | unreadable
            error varchar,
            started_at timestamptz not null,
            finished_at timestamptz not null,
            file_stat varchar               -- size:mtime_ns:ctime_ns, listed before reading (raw/changes.py)
        )""")
    # added since the table was made: null on older rows, so their days count as changed once
    con.execute("alter table raw.ingest_batches add column if not exists file_stat varchar")
    con.execute("""
        create table if not exists raw.fx_rates (
            rate_date date not null,
            base_currency varchar not null,
            currency varchar not null,
            rate decimal(20, 8) not null,   -- units of `currency` per 1 `base_currency`
            source_file varchar not null,
            source_row bigint not null,
            ingested_at timestamptz not null
        )""")
    _upgrade_content_hashes(con)


def _upgrade_content_hashes(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the stored rows' content hashes when they are of an older version (see content_hash):
    every hash a later load compares with must be of the version that load computes."""
    con.execute("create table if not exists raw.layout (content_hash_version integer not null)")
    [(version,)] = con.execute("select max(content_hash_version) from raw.layout").fetchall()
    if version == CONTENT_HASH_VERSION:
        return
    with transaction(con):
        for schema in STREAMS.values():
            stored = content_hash_expr(schema, column=lambda name: name, extra="extra_fields")
            for table in (received_table(schema), events_table(schema)):
                con.execute(f"update {table} set content_hash = {stored}")
        con.execute("delete from raw.layout")
        con.execute("insert into raw.layout values ($v)", {"v": CONTENT_HASH_VERSION})
