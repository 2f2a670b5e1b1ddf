"""Load landing days of one stream into the raw layer: validated, deduplicated, audited, atomic.

A call loads a list of arrival days in transactions of whole days: each transaction first removes what
earlier loads of those days left (events, quarantine, audit rows) and then loads them again, so a re-run,
or a run killed half way and re-run, leaves exactly the state of one clean run.

The first copy of an event_id in knowledge order (arrival day, file, row) is the stored one. Loading an
earlier day after later days are already stored keeps the later copy and counts the earlier one as the
duplicate: the same totals, a different `arrival_date` on that event.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.contract import StreamSchema
from pipelines.raw.reading import FileRead, file_format, read_file
from pipelines.raw.tables import create_raw_tables, event_columns
from pipelines.raw.validation import checked_select, content_hash_expr, json_extra_patch, json_field_exprs

DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STAGE = "_stage"
STAGE_COLUMNS = ("_arrival_date", "_file", "_row")


@dataclass
class LoadSummary:
    stream: str
    days: int = 0
    files: int = 0
    unreadable_files: int = 0
    rows_read: int = 0
    rows_accepted: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    unreadable: list[str] = field(default_factory=list)

    def add(self, other: LoadSummary) -> None:
        for name in (
            "days",
            "files",
            "unreadable_files",
            "rows_read",
            "rows_accepted",
            "rows_duplicate",
            "rows_quarantined",
            "seconds",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unreadable += other.unreadable


def landed_days(
    landing: Path, stream: str, first: date | None = None, last: date | None = None
) -> list[date]:
    """Arrival days that have a landing folder for `stream`, optionally within [first, last]."""
    folder = landing / stream
    if not folder.is_dir():
        return []
    days = sorted(
        date.fromisoformat(p.name) for p in folder.iterdir() if p.is_dir() and DAY_FOLDER.match(p.name)
    )
    return [d for d in days if (first is None or d >= first) and (last is None or d <= last)]


def day_files(landing: Path, stream: str, day: date) -> list[Path]:
    """Files of one arrival day, in name order; hidden files (uploads in progress) are not yet landed."""
    folder = landing / stream / day.isoformat()
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _stage_ddl(schema: StreamSchema) -> str:
    fields = ", ".join(f"{n} varchar" for n in schema.field_names)
    return (
        f"create or replace temp table {STAGE} (_arrival_date date, _file varchar, _row bigint, {fields}, "
        f"_extra varchar, _line varchar, _parse_error varchar)"
    )


def _stage_file_group(con: duckdb.DuckDBPyConnection, schema: StreamSchema, table: pa.Table) -> None:
    """Insert a group of same-shaped file tables into the stage table."""
    con.register("_group", table)
    try:
        fields = ", ".join(schema.field_names)
        if "_extra" in table.column_names:  # columnar: Parquet or CSV
            con.execute(f"""
                insert into {STAGE}
                select _arrival_date, _file, _row, {fields},
                       case when _extra is not null then to_json(_extra) end, null, null
                from _group""")
        else:  # JSON Lines: pull the fields out of each line
            con.execute(
                f"""
                insert into {STAGE}
                with lines as (
                    select *, coalesce(json_valid(_line), false) as _valid from _group
                ), parsed as (
                    select *, case when _valid then json_type(_line) = 'OBJECT' else false end as _json_ok from lines
                )
                select _arrival_date, _file, _row, {", ".join(json_field_exprs(schema))},
                       case when _json_ok then nullif(json_merge_patch(_line::json, $patch::json)::varchar, '{{}}') end,
                       _line,
                       case when not _valid then 'malformed JSON line'
                            when not _json_ok then 'JSON line is not an object' end
                from parsed""",
                {"patch": json_extra_patch(schema)},
            )
    finally:
        try:
            con.unregister("_group")
        except duckdb.Error:
            pass  # the transaction already failed; the original error is what matters


def _stage_parquet_bulk(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: list[tuple[date, str, Path]]
) -> bool:
    """Stage many Parquet files with one multi-threaded DuckDB scan. False if any file cannot be read
    (the caller then reads them one by one, so one corrupt file cannot hide the others)."""
    paths = [str(path) for _, _, path in files]
    try:
        described = con.execute(
            "describe select * from read_parquet($p, union_by_name = true)", {"p": paths}
        ).fetchall()
        present = {row[0] for row in described}
        cols = ", ".join(
            f"cast({n} as varchar) as {n}" if n in present else f"cast(null as varchar) as {n}"
            for n in schema.field_names
        )
        has_extra = bool(present - set(schema.field_names))
        patch = json_extra_patch(schema, extra_keys=("filename", "file_row_number"))
        extra = "nullif(json_merge_patch(to_json(p), $patch::json)::varchar, '{}')" if has_extra else "null"
        con.execute(
            f"""
            create or replace temp table _pq as
            select filename as _path, file_row_number + 1 as _row, {cols}, {extra} as _extra
            from read_parquet($p, filename = true, file_row_number = true, union_by_name = true) p""",
            {"p": paths, **({"patch": patch} if has_extra else {})},
        )
    except duckdb.Error:
        return False
    con.execute("create or replace temp table _pq_files (_path varchar, _arrival_date date, _file varchar)")
    con.executemany("insert into _pq_files values (?, ?, ?)", [(str(p), d, rel) for d, rel, p in files])
    con.execute(f"""
        insert into {STAGE}
        select f._arrival_date, f._file, _row, {", ".join(schema.field_names)}, _extra, null, null
        from _pq join _pq_files f using (_path)""")
    con.execute("drop table _pq")
    return True


def _stage(
    con: duckdb.DuckDBPyConnection, landing: Path, schema: StreamSchema, files: list[tuple[date, Path]]
) -> list[tuple[date, str, FileRead]]:
    """Read and stage every file of the batch; returns one FileRead per file (for the audit)."""
    con.execute(_stage_ddl(schema))
    items = [(day, str(path.relative_to(landing)), path) for day, path in files]
    parquet = [item for item in items if file_format(item[2]) == "parquet"]
    reads: list[tuple[date, str, FileRead]] = []
    if parquet and _stage_parquet_bulk(con, schema, parquet):
        reads += [
            (
                day,
                rel,
                FileRead(
                    path=path, fmt="parquet", content_hash=hashlib.sha256(path.read_bytes()).hexdigest()
                ),
            )
            for day, rel, path in parquet
        ]
        items = [item for item in items if item not in parquet]
    one_by_one = [(day, rel, read_file(path, schema)) for day, rel, path in items]
    _stage_day_files(con, schema, one_by_one)
    return reads + one_by_one


def _stage_day_files(con, schema: StreamSchema, reads: list[tuple[date, str, FileRead]]) -> None:
    groups: dict[tuple, list[pa.Table]] = defaultdict(list)
    broken_rows = []
    for day, rel, read in reads:
        if read.table is None:
            continue
        n = read.table.num_rows
        t = read.table.append_column("_arrival_date", pa.array([day] * n, pa.date32()))
        t = t.append_column("_file", pa.array([rel] * n, pa.string()))
        groups[tuple((f.name, str(f.type)) for f in t.schema)].append(t)
        broken_rows += [(day, rel, num, text, reason) for num, text, reason in read.broken_rows]
    for tables in groups.values():
        _stage_file_group(con, schema, pa.concat_tables(tables))
    if broken_rows:
        con.executemany(
            f"insert into {STAGE} (_arrival_date, _file, _row, _line, _parse_error) values (?, ?, ?, ?, ?)",
            broken_rows,
        )


def _classify(con, schema: StreamSchema) -> None:
    """Every staged row gets an outcome: accepted, duplicate, conflict or invalid.

    The wide rows are materialised once (`_checked`: typed values, reasons, content hash); the
    deduplication works on a narrow key table (`_outcomes`), which keeps large batches cheap.
    """
    con.execute(f"""
        create or replace temp table _checked as
        select *, case when len(_reasons) = 0 then {content_hash_expr(schema)} end as _hash
        from ({checked_select(schema, STAGE)})""")
    con.execute(f"""
        create or replace temp table _outcomes as
        with keys as (
            select event_id, _hash, _arrival_date, _file, _row,
                   row_number() over (partition by event_id order by _arrival_date, _file, _row) as _rn
            from _checked where _hash is not null
        ), stored as (
            select event_id, content_hash, arrival_date, source_file, source_row
            from raw.{schema.raw_table}
            where event_id in (select event_id from keys)
        ), firsts as (
            select event_id, _hash, _arrival_date, _file, _row from keys where _rn = 1
        )
        select k._file, k._row,
               case when s.event_id is null and k._rn = 1 then 'accepted'
                    when k._hash = coalesce(s.content_hash, f._hash) then 'duplicate'
                    else 'conflict' end as _outcome,
               coalesce(s.arrival_date, f._arrival_date) as _winner_arrival_date,
               coalesce(s.source_file, f._file) as _winner_file,
               coalesce(s.source_row, f._row) as _winner_row
        from keys k
        left join stored s using (event_id)
        join firsts f using (event_id)
        union all
        select _file, _row, 'invalid', null, null, null from _checked where _hash is null
    """)


def _write_outcomes(
    con, schema: StreamSchema, reads: list[tuple[date, str, FileRead]], started: float
) -> None:
    columns = [name for name, _ in event_columns(schema)]
    typed = {f.name: f"_{f.name}" for f in schema.all_fields}
    values = [typed.get(c) for c in columns]
    bookkeeping = {
        "extra_fields": "_extra::json",
        "content_hash": "_hash",
        "arrival_date": "_arrival_date",
        "source_file": "_file",
        "source_row": "_row",
        "ingested_at": "current_timestamp",
    }
    select = ", ".join(v if v else bookkeeping[c] for c, v in zip(columns, values, strict=False))
    con.execute(
        f"insert into raw.{schema.raw_table} ({', '.join(columns)}) "
        f"select {select} from _checked join _outcomes using (_file, _row) "
        "where _outcome = 'accepted'"
    )

    payload = (
        "coalesce(_line, json_merge_patch(to_json(struct_pack("
        + ", ".join(f"{n} := {n}" for n in schema.field_names)
        + ")), coalesce(_extra, '{}')::json)::varchar)"
    )
    con.execute(
        f"""
        insert into raw.quarantine
        select $stream, _arrival_date, _file, _row, event_id,
               case when _outcome = 'conflict'
                    then 'conflict: event_id already stored with different content'
                    else array_to_string(_reasons, '; ') end,
               {payload},
               case when _outcome = 'conflict' then _winner_arrival_date end,
               case when _outcome = 'conflict' then _winner_file end,
               case when _outcome = 'conflict' then _winner_row end,
               current_timestamp
        from _checked join _outcomes using (_file, _row)
        where _outcome in ('invalid', 'conflict')
        order by _arrival_date, _file, _row""",
        {"stream": schema.name},
    )

    # Audit: one row per file, readable or not; the identity read = accepted + duplicate + quarantined.
    files = [
        (day, rel, read.fmt, read.content_hash, "loaded" if read.error is None else "unreadable", read.error)
        for day, rel, read in reads
    ]
    con.execute(
        "create or replace temp table _files (arrival_date date, source_file varchar, "
        "file_format varchar, content_hash varchar, status varchar, error varchar)"
    )
    if files:
        con.executemany("insert into _files values (?, ?, ?, ?, ?, ?)", files)
    con.execute(
        """
        insert into raw.ingest_batches
        select $stream, f.arrival_date, f.source_file, f.file_format, f.content_hash,
               coalesce(c.n_read, 0), coalesce(c.n_accepted, 0), coalesce(c.n_duplicate, 0),
               coalesce(c.n_quarantined, 0), f.status, f.error, to_timestamp($started), current_timestamp
        from _files f
        left join (
            select _file, count(*) as n_read,
                   count(*) filter (where _outcome = 'accepted') as n_accepted,
                   count(*) filter (where _outcome = 'duplicate') as n_duplicate,
                   count(*) filter (where _outcome in ('invalid', 'conflict')) as n_quarantined
            from _outcomes group by _file
        ) c on c._file = f.source_file
        order by f.arrival_date, f.source_file""",
        {"stream": schema.name, "started": started},
    )


def _delete_days(con, schema: StreamSchema, days: list[date]) -> None:
    con.execute("create or replace temp table _days (d date)")
    con.executemany("insert into _days values (?)", [(d,) for d in days])
    con.execute(f"delete from raw.{schema.raw_table} where arrival_date in (select d from _days)")
    con.execute(
        "delete from raw.quarantine where stream = $s and arrival_date in (select d from _days)",
        {"s": schema.name},
    )
    con.execute(
        "delete from raw.ingest_batches where stream = $s and arrival_date in (select d from _days)",
        {"s": schema.name},
    )


def load_days(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    schema: StreamSchema,
    days: Iterable[date],
    days_per_transaction: int = 31,
    on_progress: Callable[[LoadSummary], None] | None = None,
) -> LoadSummary:
    """Load the given arrival days of one stream; returns the totals. Safe to repeat."""
    con.execute("set timezone = 'UTC'")
    create_raw_tables(con)
    days = sorted(set(days))
    total = LoadSummary(stream=schema.name)
    for i in range(0, len(days), days_per_transaction):
        batch = days[i : i + days_per_transaction]
        started = time.time()
        files = [(day, path) for day in batch for path in day_files(landing, schema.name, day)]
        # Staging only touches temp tables, so it runs before the transaction: a failed bulk read
        # there cannot abort the transaction that writes the raw tables.
        reads = _stage(con, landing, schema, files)
        con.execute("begin transaction")
        try:
            _delete_days(con, schema, batch)
            _classify(con, schema)
            _write_outcomes(con, schema, reads, started)
            counts = con.execute(
                """
                select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0),
                       coalesce(sum(rows_duplicate), 0), coalesce(sum(rows_quarantined), 0)
                from raw.ingest_batches where stream = $s and arrival_date in (select d from _days)""",
                {"s": schema.name},
            ).fetchone()
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        part = LoadSummary(
            stream=schema.name,
            days=len(batch),
            files=counts[0],
            rows_read=counts[1],
            rows_accepted=counts[2],
            rows_duplicate=counts[3],
            rows_quarantined=counts[4],
            seconds=time.time() - started,
            unreadable=[rel for _, rel, r in reads if r.error is not None],
        )
        part.unreadable_files = len(part.unreadable)
        total.add(part)
        if on_progress:
            on_progress(total)
    return total
