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


def differences_expr(schema: StreamSchema, new: str = "r", stored: str = "e") -> str:
    """SQL for the list of differing fields of a copy, each with the stored and the delivered value."""

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
    return f"list_filter([{diffs}], lambda x: x is not null)"


def conflict_reason_expr(schema: StreamSchema, new: str = "r", stored: str = "e") -> str:
    """SQL for a conflict's reason: CONFLICT_REASON, then each differing field with the stored and the
    delivered value (`amount: 351.86 stored, 361.86 delivered`), so the quarantine says what to fix."""
    return f"'{CONFLICT_REASON} (' || array_to_string({differences_expr(schema, new, stored)}, '; ') || ')'"


def record_key_expr(extra: str, row: str) -> str:
    """SQL for the delivered record a received row came from: the export row when import-csv split one
    row into several events (an order and its invoice), else the landed row itself."""
    # a quarantined line that is not JSON has no export row
    row_of_export = f"json_extract_string(case when json_valid({extra}) then {extra} end, '$.import_row')"
    return f"coalesce('export row ' || {row_of_export}, 'row ' || {row}::varchar)"


def _folded_reason(single: str, many: str, record: str, kind: str) -> str:
    """SQL for the reason of a record's quarantine row, over a window `_w` of the record's rows: `single`
    for a record of one event; for several, `many` (their reasons together) and the events."""
    return (
        f"case when count(*) over _w = 1 then {single} "
        f"else {many} || '; ' || {record} || ' delivered ' || count(*) over _w || ' {kind} events: ' "
        "|| array_to_string(list_sort(list(coalesce(event_id, '(none)')) over _w), ', ') end"
    )


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
    """Rows that break the contract, with the reason and the original record: one quarantine row per
    delivered record (an export row import-csv split into an order and its invoice is one row to fix)."""
    record = ", ".join(f"{n} := {n}" for n in schema.field_names)
    as_read = f"json_merge_patch(to_json(struct_pack({record})), coalesce(_extra, '{{}}')::json)::varchar"
    payload = f"coalesce(_line, {as_read})"
    reasons = "list_sort(list_distinct(flatten(list(_reasons) over _w)))"
    reason = _folded_reason(
        "array_to_string(_reasons, '; ')", f"array_to_string({reasons}, '; ')", "_q_record", "invalid"
    )
    con.execute(
        f"""
        insert into raw.quarantine
        select $s, _arrival_date, _file, _row, event_id, 'invalid', _q_reason, _q_payload, null, null, null,
               current_timestamp
        from (
            select *, {reason} as _q_reason, {payload} as _q_payload,
                   row_number() over (_w order by _row) as _q_nth
            from (
                select *, {record_key_expr("_extra", "_row")} as _q_record from {checked} where _hash is null
            )
            window _w as (partition by _arrival_date, _file, _q_record)
        )
        where _q_nth = 1
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
    """Received copies of a touched event_id whose content differs from the stored copy: one quarantine
    row per delivered record, so an export row whose amount changed is one conflict, not one per event
    import-csv made of it (its order and its invoice). Every record holding a copy of a touched event_id
    is recomputed whole, with the stored copies as they are now: the rows do not depend on load order."""
    received = received_table(schema)
    # the records to recompute: those of the copies that conflict now, and those of the copies in files
    # that held a conflict (it may be gone now); any other record had no conflict and still has none
    con.execute(
        f"""
        create or replace temp table _conflict_records as
        select distinct arrival_date, source_file, {record_key_expr("extra_fields", "source_row")} as record
        from (
            select r.* from {copies} r
            inner join (select event_id, content_hash from {copies} where _is_stored) e using (event_id)
            where r.content_hash <> e.content_hash
            union all
            select c.* from {copies} c
            where exists (
                select 1 from raw.quarantine q
                where q.stream = $s and q.kind = 'conflict'
                  and q.arrival_date = c.arrival_date and q.source_file = c.source_file
            )
        )""",
        {"s": schema.name},
    )
    [(records, exported)] = con.execute(
        "select count(*), count(*) filter (where record like 'export row %') from _conflict_records"
    ).fetchall()
    if not records:  # no conflict before or now: nothing to recompute (a clean load's usual case)
        con.execute("drop table _conflict_records")
        return
    con.execute(
        f"""
        delete from raw.quarantine q
        where q.stream = $s and q.kind = 'conflict' and exists (
            select 1 from _conflict_records k
            where k.arrival_date = q.arrival_date and k.source_file = q.source_file
              and k.record = {record_key_expr("q.payload", "q.source_row")}
        )""",
        {"s": schema.name},
    )
    # the copies and their stored copies (both in `copies`); with an export row's other events, when only
    # some of them are copies of touched ids, and theirs from the events table (by id, not a scan of it)
    rows = f"select * exclude (_is_stored) from {copies}"
    stored = f"select * exclude (_is_stored) from {copies} where _is_stored"
    if exported:
        con.execute(f"""
            create or replace temp table _conflict_siblings as
            select r.* from {received} r
            inner join _conflict_records k
                on r.arrival_date = k.arrival_date and r.source_file = k.source_file
                and k.record = {record_key_expr("r.extra_fields", "r.source_row")}
            where k.record like 'export row %'
              and r.source_file in (select source_file from _conflict_records)
              and r.event_id not in (select event_id from {touched})""")
        rows += " union all by name select * from _conflict_siblings"
        stored += (
            f" union all by name select * from {events_table(schema)}"
            " where event_id in (select event_id from _conflict_siblings)"
        )
    record = ", ".join(f"{f.name} := r.{f.name}" for f in schema.all_fields)
    diffs = differences_expr(schema)
    all_diffs = "list_sort(list_distinct(flatten(list(_q_diffs) over _w)))"
    many = f"'{CONFLICT_REASON} (' || array_to_string({all_diffs}, '; ') || ')'"
    payload = f"json_merge_patch(to_json(struct_pack({record})), coalesce(r.extra_fields, '{{}}'))::varchar"
    con.execute(
        f"""
        insert into raw.quarantine
        select $s, arrival_date, source_file, source_row, event_id, 'conflict', _q_reason, _q_payload,
               stored_arrival_date, stored_file, stored_row, ingested_at
        from (
            select *, {_folded_reason("_q_single", many, "_q_record", "conflicting")} as _q_reason,
                   row_number() over (_w order by source_row) as _q_nth
            from (
                select r.arrival_date, r.source_file, r.source_row, r.event_id, r.ingested_at,
                       {record_key_expr("r.extra_fields", "r.source_row")} as _q_record,
                       {conflict_reason_expr(schema)} as _q_single, {diffs} as _q_diffs,
                       {payload} as _q_payload,
                       e.arrival_date as stored_arrival_date, e.source_file as stored_file,
                       e.source_row as stored_row
                from ({rows}) r
                inner join ({stored}) e using (event_id)
                where r.content_hash <> e.content_hash
            )
            window _w as (partition by arrival_date, source_file, _q_record)
        )
        where _q_nth = 1
        order by arrival_date, source_file, source_row""",
        {"s": schema.name},
    )
    con.execute("drop table if exists _conflict_siblings")
    con.execute("drop table _conflict_records")


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
            "file_stat": pa.array([f.file_stat for f in files], pa.string()),
        }
    )
    con.register("_batch_files", batch_files)
    con.execute(
        f"""
        insert into raw.ingest_batches
        select $s, f.arrival_date, f.source_file, f.file_format, f.content_hash, f.rows_read,
               0, 0, coalesce(i.n_invalid, 0), coalesce(i.n_invalid, 0), 0, f.status, f.error,
               to_timestamp($started), current_timestamp, f.file_stat
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
