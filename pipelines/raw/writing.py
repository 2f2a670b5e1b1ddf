"""Writes of one load transaction, one job per function; every table a function reads is passed in.

The raw layer is a function of the landed files: `<stream>_received` keeps every valid row received,
and everything else (the stored events, conflicts, the audit's outcome counts) is derived from it for the
event ids a load touches. So loading days in any order, any number of times, ends in the same tables.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipelines.contract import StreamSchema
from pipelines.raw.content_hash import extra_content_expr
from pipelines.raw.staging import StagedFile
from pipelines.raw.tables import event_columns, events_table, received_table

CONFLICT_REASON = "conflict: event_id already stored with different content"
KNOWLEDGE_ORDER = "arrival_date, source_file, source_row"


def conflict_reason_expr(schema: StreamSchema, new: str = "r", stored: str = "e") -> str:
    """SQL for a conflict's reason: CONFLICT_REASON, then each differing field with the stored and the
    delivered value (`amount: 351.86 stored, 361.86 delivered`), so the quarantine says what to fix."""

    def shown(value: str) -> str:
        return f"coalesce({value}::varchar, 'empty')"

    def decimal(value: str) -> str:  # 10.5000 -> 10.5: as the export wrote it, not at the column's scale
        return f"rtrim(rtrim({value}::varchar, '0'), '.')"

    pairs = []
    for f in schema.all_fields:
        if f.name != "event_id":
            a, b = f"{stored}.{f.name}", f"{new}.{f.name}"
            pairs.append((f.name, decimal(a), decimal(b)) if f.kind == "decimal" else (f.name, a, b))
    pairs += [
        (f"{f.name}_is_date", f"{stored}.{f.name}_is_date", f"{new}.{f.name}_is_date")
        for f in schema.all_fields
        if f.kind == "timestamp"
    ]
    pairs.append(
        (
            "extra fields",
            extra_content_expr(f"{stored}.extra_fields"),
            extra_content_expr(f"{new}.extra_fields"),
        )
    )
    diffs = ", ".join(
        f"case when {b} is distinct from {a} then '{name}: ' || {shown(a)} || ' stored, ' || {shown(b)} "
        "|| ' delivered' end"
        for name, a, b in pairs
    )
    differing = f"list_filter([{diffs}], lambda x: x is not null)"
    return f"'{CONFLICT_REASON} (' || array_to_string({differing}, '; ') || ')'"


def _column_list(schema: StreamSchema) -> str:
    return ", ".join(name for name, _ in event_columns(schema))


def collect_touched_ids(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, checked: str, days_table: str, touched: str
) -> None:
    """Event ids whose stored copy may change: those the days held before, and those they hold now."""
    con.execute(f"""
        create or replace temp table {touched} as
        select event_id from {received_table(schema)} where arrival_date in (select d from {days_table})
        union
        select _event_id from {checked} where _hash is not null""")


def delete_days(con: duckdb.DuckDBPyConnection, schema: StreamSchema, days_table: str) -> None:
    """Forget what earlier loads of these days left: their received rows, quarantine and audit."""
    con.execute(f"delete from {received_table(schema)} where arrival_date in (select d from {days_table})")
    for table in ("raw.quarantine", "raw.ingest_batches"):
        con.execute(
            f"delete from {table} where stream = $s and arrival_date in (select d from {days_table})",
            {"s": schema.name},
        )


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """The id of this load transaction, stamped on every row it receives (the ingest watermark)."""
    row = con.execute("select nextval('raw.load_ids')").fetchone()
    assert row is not None
    return int(row[0])


def append_received(con: duckdb.DuckDBPyConnection, schema: StreamSchema, checked: str, load_id: int) -> None:
    bookkeeping = {
        "extra_fields": "_extra::json",
        "content_hash": "_hash",
        "arrival_date": "_arrival_date",
        "source_file": "_file",
        "source_row": "_row",
        "ingested_at": "current_timestamp",
        "load_id": "$load_id",
    }
    values = ", ".join(bookkeeping.get(name, f"_{name}") for name, _ in event_columns(schema))
    con.execute(
        f"insert into {received_table(schema)} ({_column_list(schema)}) "
        f"select {values} from {checked} where _hash is not null",
        {"load_id": load_id},
    )


def write_invalid(con: duckdb.DuckDBPyConnection, schema: StreamSchema, checked: str) -> None:
    """Rows that break the contract, with the reason and the original record."""
    record = ", ".join(f"{n} := {n}" for n in schema.field_names)
    as_read = f"json_merge_patch(to_json(struct_pack({record})), coalesce(_extra, '{{}}')::json)::varchar"
    payload = f"coalesce(_line, {as_read})"
    con.execute(
        f"""
        insert into raw.quarantine
        select $s, _arrival_date, _file, _row, event_id, 'invalid', array_to_string(_reasons, '; '),
               {payload}, null, null, null, current_timestamp
        from {checked} where _hash is null
        order by _arrival_date, _file, _row""",
        {"s": schema.name},
    )


def collect_copies(con: duckdb.DuckDBPyConnection, schema: StreamSchema, touched: str, copies: str) -> None:
    """Every received copy of a touched event_id, each marked whether it is the first in knowledge order:
    read once per batch, so the events, conflicts and outcome counts below need no other pass."""
    con.execute(f"""
        create or replace temp table {copies} as
        select *, row_number() over (partition by event_id order by {KNOWLEDGE_ORDER}) = 1 as _is_stored
        from {received_table(schema)} where event_id in (select event_id from {touched})""")


def record_account_changes(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, touched: str, copies: str, load_id: int
) -> None:
    """The accounts whose stored events this load changed: incremental builds recompute exactly these.

    A touched event id counts when its stored copy appears, disappears (an account whose last event a
    corrected day removed is recomputed to nothing) or differs in what the models read: its content or
    its arrival day. A re-delivered day, a corrected file whose rows merely moved (another file or row
    number; no model reads them), or a conflicting copy that leaves the stored one, changes no account."""
    origin = ("content_hash", "arrival_date")
    differs = " or ".join(f"before.{c} is distinct from after.{c}" for c in origin)
    columns = ", ".join(("event_id", "account_id", *origin))
    con.execute(
        f"""
        insert into raw.account_changes
        with before as (
            select {columns} from {events_table(schema)} where event_id in (select event_id from {touched})
        ), after as (
            select {columns} from {copies} where _is_stored
        ), changed as (
            select before.account_id as before_account, after.account_id as after_account
            from before full outer join after on before.event_id = after.event_id
            where {differs}
        )
        select distinct $load_id, $s, account_id from (
            select before_account as account_id from changed
            union all
            select after_account from changed
        ) where account_id is not null""",
        {"load_id": load_id, "s": schema.name},
    )


def refresh_events(con: duckdb.DuckDBPyConnection, schema: StreamSchema, touched: str, copies: str) -> None:
    """The stored copy of each touched event_id: its first received row in knowledge order."""
    columns = _column_list(schema)
    con.execute(f"delete from {events_table(schema)} where event_id in (select event_id from {touched})")
    con.execute(
        f"insert into {events_table(schema)} ({columns}) select {columns} from {copies} where _is_stored"
    )


def refresh_conflicts(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, touched: str, copies: str
) -> None:
    """Received copies of a touched event_id whose content differs from the stored copy."""
    record = ", ".join(f"{f.name} := r.{f.name}" for f in schema.all_fields)
    con.execute(
        f"delete from raw.quarantine where stream = $s and kind = 'conflict' "
        f"and event_id in (select event_id from {touched})",
        {"s": schema.name},
    )
    con.execute(
        f"""
        insert into raw.quarantine
        select $s, r.arrival_date, r.source_file, r.source_row, r.event_id, 'conflict',
               {conflict_reason_expr(schema)},
               json_merge_patch(to_json(struct_pack({record})), coalesce(r.extra_fields, '{{}}'))::varchar,
               e.arrival_date, e.source_file, e.source_row, r.ingested_at
        from {copies} r
        join (select * from {copies} where _is_stored) e using (event_id)
        where r.content_hash <> e.content_hash
        order by r.arrival_date, r.source_file, r.source_row""",
        {"s": schema.name},
    )


def write_file_audit(
    con: duckdb.DuckDBPyConnection,
    schema: StreamSchema,
    files: list[StagedFile],
    checked: str,
    started: float,
) -> None:
    """One audit row per file of the batch, readable or not; outcome counts follow in `refresh_outcomes`."""
    # one Arrow table, not executemany: a backfill batch has thousands of files
    batch_files = pa.table(
        {
            "arrival_date": pa.array([f.arrival_date for f in files], pa.date32()),
            "source_file": pa.array([f.source_file for f in files], pa.string()),
            "file_format": pa.array([f.read.fmt for f in files], pa.string()),
            "content_hash": pa.array([f.read.content_hash for f in files], pa.string()),
            "rows_read": pa.array([f.read.records_in_file for f in files], pa.int64()),
            "status": pa.array(["loaded" if f.read.readable else "unreadable" for f in files], pa.string()),
            "error": pa.array([f.read.error for f in files], pa.string()),
        }
    )
    con.register("_batch_files", batch_files)
    con.execute(
        f"""
        insert into raw.ingest_batches
        select $s, f.arrival_date, f.source_file, f.file_format, f.content_hash, f.rows_read,
               0, 0, coalesce(i.n_invalid, 0), coalesce(i.n_invalid, 0), 0, f.status, f.error,
               to_timestamp($started), current_timestamp
        from _batch_files f
        left join (
            select _file, count(*) as n_invalid from {checked} where _hash is null group by _file
        ) i on i._file = f.source_file
        order by f.arrival_date, f.source_file""",
        {"s": schema.name, "started": started},
    )
    con.unregister("_batch_files")


def refresh_outcomes(con: duckdb.DuckDBPyConnection, schema: StreamSchema, copies: str) -> None:
    """Accepted / duplicate / conflict counts of every file holding a touched event_id.

    A count covers the whole file, so the file's other rows are read too, and matched to their stored
    copies by event_id: a semi-join on those ids, not a scan-and-join of the whole events table."""
    con.execute(
        f"""
        update raw.ingest_batches b
        set rows_accepted = c.n_accepted, rows_duplicate = c.n_duplicate, rows_conflict = c.n_conflict,
            rows_quarantined = b.rows_invalid + c.n_conflict
        from (
            with file_rows as (
                select event_id, source_file, source_row, content_hash from {received_table(schema)}
                where source_file in (select distinct source_file from {copies})
            ), stored as (
                select event_id, source_file, source_row, content_hash from {events_table(schema)}
                where event_id in (select event_id from file_rows)
            )
            select r.source_file,
                   count(*) filter (where r.source_file = e.source_file and r.source_row = e.source_row)
                       as n_accepted,
                   count(*) filter (where (r.source_file <> e.source_file or r.source_row <> e.source_row)
                                      and r.content_hash = e.content_hash) as n_duplicate,
                   count(*) filter (where r.content_hash <> e.content_hash) as n_conflict
            from file_rows r
            join stored e using (event_id)
            group by r.source_file
        ) c
        where b.stream = $s and b.source_file = c.source_file""",
        {"s": schema.name},
    )
