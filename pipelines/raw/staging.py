"""Stage the files of a batch as text rows in a temp table, then type and check them.

Parquet files whose rows were deferred are read by DuckDB straight from their paths, one statement per
file shape; if DuckDB cannot read a group (a corrupt page, invalid UTF-8), its files are read one by one
here instead, so the unreadable one is recorded as such and the others are staged as usual.
Runs outside the write transaction and touches temp tables only, so a failure here cannot leave the raw
tables half written. Each function takes the names of the tables it reads and writes.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa
from duckdb.sqltypes import VARCHAR

from pipelines.contract import FieldSpec, StreamSchema
from pipelines.raw.reading import FileRead, read_file
from pipelines.raw.sql import ident, in_list, lit
from pipelines.raw.tables import SQL_TYPES
from pipelines.raw.validation import (
    INT_MAX,
    NATIVE_KINDS,
    checked_select,
    content_hash_expr,
    json_extra_patch,
    native_column,
)

EXACT_JSON_NUMBER = "exact_json_number"
JSON_NUMBER_TYPES = ("BIGINT", "UBIGINT", "DOUBLE")


@dataclass(frozen=True)
class StagedFile:
    """A file of the batch as the audit sees it."""

    arrival_date: date
    source_file: str  # path relative to the landing folder, e.g. sales/2024-03-01/a.parquet
    read: FileRead


def _exact_json_number(line: str, key: str) -> str | None:
    """The text of a JSON number as written (DuckDB's JSON functions go through binary doubles)."""
    value = json.loads(line, parse_float=str, parse_int=str).get(key)
    return value if isinstance(value, str) else None


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.NotImplementedException):  # already registered on this connection
        con.create_function(EXACT_JSON_NUMBER, _exact_json_number, [VARCHAR, VARCHAR], VARCHAR)


def _native_fields(schema: StreamSchema) -> list[FieldSpec]:
    return [f for f in schema.all_fields if f.kind in NATIVE_KINDS]


def create_stage(con: duckdb.DuckDBPyConnection, schema: StreamSchema, stage: str) -> None:
    fields = ", ".join(f"{n} varchar" for n in schema.field_names)
    natives = "".join(f", {native_column(f)} {SQL_TYPES[f.kind]}" for f in _native_fields(schema))
    con.execute(
        f"create or replace temp table {stage} (_arrival_date date, _file varchar, _row bigint, {fields}, "
        f"_extra varchar, _line varchar, _parse_error varchar{natives})"
    )


def native_value(spec: FieldSpec, t: pa.DataType) -> str | None:
    """SQL for the typed value of a Parquet column whose own type already is what the contract asks (a
    timestamp with a time zone, a decimal, an integer): such values are taken as they are, with no text
    parse. None for other types (text, doubles, naive timestamps), which are parsed from their text. A value
    the contract refuses (negative, more than 4 decimals, too large) is null here, and its text gives the
    reason as before."""
    column, sql_type = ident(spec.name), SQL_TYPES[spec.kind]
    if spec.kind == "timestamp" and pa.types.is_timestamp(t) and t.tz is not None:
        return f"cast({column} as {sql_type})"
    if spec.kind == "decimal" and pa.types.is_decimal(t):
        return (
            f"case when {column} >= 0 and {column} < 10000000000000000 and {column} = round({column}, 4) "
            f"then cast({column} as {sql_type}) end"
        )
    if spec.kind == "int" and pa.types.is_integer(t):
        return f"case when {column} between 0 and {INT_MAX} then cast({column} as {sql_type}) end"
    return None


def _native_values(schema: StreamSchema, present: dict[str, pa.DataType], refused: bool) -> list[str]:
    """The `_native_<field>` values of a file shape: null where the column is text, absent, or refused."""
    values = []
    for spec in _native_fields(schema):
        value = native_value(spec, present[spec.name]) if spec.name in present and not refused else None
        values.append(value or f"cast(null as {SQL_TYPES[spec.kind]})")
    return values


def _as_text(name: str, t: pa.DataType) -> str:
    """A column as text; nested values as JSON, so every path keeps them alike."""
    return (
        f"cast(to_json({ident(name)}) as varchar)"
        if pa.types.is_nested(t)
        else f"cast({ident(name)} as varchar)"
    )


def _columnar_select(
    schema: StreamSchema, arrow: pa.Schema, refused_because: str | None, source: str = "_group"
) -> str:
    present = {f.name: f.type for f in arrow if not f.name.startswith("_")}
    cols = [
        f"{_as_text(n, present[n])} as {n}" if n in present else f"cast(null as varchar) as {n}"
        for n in schema.field_names
    ]
    extras = [n for n in present if n not in schema.field_names]
    extra = (
        "cast(json_object(" + ", ".join(f"{lit(n)}, {ident(n)}" for n in extras) + ") as varchar)"
        if extras
        else "cast(null as varchar)"
    )
    refused = lit(refused_because) if refused_because else "cast(null as varchar)"
    natives = "".join(
        f", {value}" for value in _native_values(schema, present, refused=refused_because is not None)
    )
    return (
        f"select _arrival_date, _file, _row, {', '.join(cols)}, {extra} as _extra, "
        f"cast(null as varchar) as _line, {refused} as _parse_error{natives} from {source}"
    )


def _json_field(name: str, exact_number: bool) -> str:
    path = lit("$." + json.dumps(name))
    text = f"_line ->> {path}"
    if exact_number:
        text = (
            f"case when json_type(_line, {path}) in {in_list(JSON_NUMBER_TYPES)} "
            f"then {EXACT_JSON_NUMBER}(_line, {lit(name)}) else {text} end"
        )
    return f"case when _json_ok then {text} end as {name}"


def _jsonl_select(schema: StreamSchema) -> str:
    fields = ", ".join(_json_field(f.name, f.kind == "decimal") for f in schema.all_fields)
    natives = "".join(f", {value}" for value in _native_values(schema, {}, refused=False))  # JSON: text
    return f"""
        with lines as (
            select *, coalesce(json_valid(_line), false) as _valid from _group
        ), parsed as (
            select *, case when _valid then json_type(_line) = 'OBJECT' else false end as _json_ok
            from lines
        )
        select _arrival_date, _file, _row, {fields},
               case when _json_ok
                    then nullif(cast(json_merge_patch(_line::json, {lit(json_extra_patch(schema))}::json)
                                     as varchar), '{{}}') end,
               _line,
               case when not _valid then 'malformed JSON line'
                    when not _json_ok then 'JSON line is not an object' end
               {natives}
        from parsed"""


def _tagged(item: StagedFile) -> pa.Table:
    table = item.read.table
    assert table is not None
    n = table.num_rows
    table = table.append_column("_arrival_date", pa.array([item.arrival_date] * n, pa.date32()))
    return table.append_column("_file", pa.array([item.source_file] * n, pa.string()))


PARQUET_ROWS = """(
    select r.*, f._arrival_date, f._file, r.file_row_number + 1 as _row
    from read_parquet($paths, filename = true, file_row_number = true) as r
    inner join _group_files as f on r.filename = f._path
)"""


def _stage_parquet_groups(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: list[StagedFile], stage: str
) -> list[StagedFile]:
    """Stage deferred Parquet files, one statement per file shape; returns the files of the groups DuckDB
    could not read (a failed statement inserts nothing)."""
    groups: dict[tuple, list[StagedFile]] = defaultdict(list)
    for item in files:
        groups[(item.read.refused_because, item.read.arrow_schema)].append(item)
    failed = []
    for (refused_because, arrow), members in groups.items():
        paths = [str(m.read.path) for m in members]
        con.register(
            "_group_files",
            pa.table(
                {
                    "_path": pa.array(paths, pa.string()),
                    "_arrival_date": pa.array([m.arrival_date for m in members], pa.date32()),
                    "_file": pa.array([m.source_file for m in members], pa.string()),
                }
            ),
        )
        try:
            select = _columnar_select(schema, arrow, refused_because, PARQUET_ROWS)
            con.execute(f"insert into {stage} {select}", {"paths": paths})
        except duckdb.Error:
            failed += members
        finally:
            con.unregister("_group_files")
    return failed


def _stage_tables(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: list[StagedFile], stage: str
) -> None:
    """Stage files read into Arrow tables: files of one shape go in with one statement."""
    groups: dict[tuple, list[StagedFile]] = defaultdict(list)
    for item in files:
        groups[(item.read.fmt, item.read.refused_because, item.read.arrow_schema)].append(item)
    for (fmt, refused_because, arrow), members in groups.items():
        con.register("_group", pa.concat_tables([_tagged(m) for m in members]))
        try:
            select = (
                _jsonl_select(schema) if fmt == "jsonl" else _columnar_select(schema, arrow, refused_because)
            )
            con.execute(f"insert into {stage} {select}")
        finally:
            con.unregister("_group")


def stage_files(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: Iterable[StagedFile], stage: str
) -> list[StagedFile]:
    """Insert every readable file's rows into `stage`; returns the files as finally read (a deferred
    Parquet file DuckDB could not read has been read here, and may now be unreadable)."""
    create_stage(con, schema, stage)
    register_functions(con)
    files = list(files)
    deferred = [f for f in files if f.read.readable and f.read.rows_deferred]
    reread = {
        id(f): StagedFile(f.arrival_date, f.source_file, read_file(f.read.path, schema))
        for f in _stage_parquet_groups(con, schema, deferred, stage)
    }
    files = [reread.get(id(f), f) for f in files]
    _stage_tables(con, schema, [f for f in files if f.read.table is not None], stage)
    broken = [
        (item.arrival_date, item.source_file, n, text, why)
        for item in files
        for n, text, why in item.read.broken_rows
    ]
    if broken:
        con.executemany(
            f"insert into {stage} (_arrival_date, _file, _row, _line, _parse_error) values (?, ?, ?, ?, ?)",
            broken,
        )
    return files


def check_stage(con: duckdb.DuckDBPyConnection, schema: StreamSchema, stage: str, checked: str) -> None:
    """`checked`: the staged rows with typed `_<field>` columns, `_reasons` and, when valid, `_hash`."""
    con.execute(
        f"create or replace temp table {checked} as "
        f"select *, case when len(_reasons) = 0 then {content_hash_expr(schema)} end as _hash "
        f"from ({checked_select(schema, stage)})"
    )
