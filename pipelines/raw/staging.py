"""Type and check the rows of a batch's files in one statement, from every source at once.

Parquet files whose rows were deferred are read by DuckDB straight from their paths, one read per file
shape; files read into Arrow (CSV, JSON Lines, Parquet with awkward names) are registered on the
connection, and records that could not be split into fields come as their text. If DuckDB cannot read
a group (a corrupt page, invalid UTF-8), its files are read one by one here instead, so the unreadable
one is recorded as such and the others load as usual.
Runs outside the write transaction and touches temp tables only, so a failure here cannot leave the raw
tables half written. Each function takes the names of the tables it reads and writes.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pyarrow as pa
from duckdb.sqltypes import VARCHAR

from pipelines.contract import FieldSpec, StreamSchema
from pipelines.raw.content_hash import content_hash_expr
from pipelines.raw.reading import FileRead, read_file
from pipelines.raw.tables import SQL_TYPES
from pipelines.raw.validation import (
    INT_MAX,
    NATIVE_KINDS,
    checked_select,
    json_extra_patch,
    native_column,
)
from pipelines.warehouse.sql import ident, in_list, lit

EXACT_JSON_NUMBER = "exact_json_number"
JSON_NUMBER_TYPES = ("BIGINT", "UBIGINT", "DOUBLE")


@dataclass(frozen=True)
class StagedFile:
    """A file of the batch as the audit sees it."""

    arrival_date: date
    source_file: str  # path relative to the landing folder, e.g. sales/2024-03-01/a.parquet
    read: FileRead
    file_stat: str | None = None  # raw/changes.py: file_stat, taken before the file was read


def _exact_json_number(line: str, key: str) -> str | None:
    """The text of a JSON number as written (DuckDB's JSON functions go through binary doubles)."""
    value = json.loads(line, parse_float=str, parse_int=str).get(key)
    return value if isinstance(value, str) else None


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.NotImplementedException):  # already registered on this connection
        con.create_function(EXACT_JSON_NUMBER, _exact_json_number, [VARCHAR, VARCHAR], VARCHAR)


def _native_fields(schema: StreamSchema) -> list[FieldSpec]:
    return [f for f in schema.all_fields if f.kind in NATIVE_KINDS]


def stage_columns(schema: StreamSchema) -> list[str]:
    """The columns every source of a batch yields, in order: origin, fields as text, then the natives."""
    natives = [native_column(f) for f in _native_fields(schema)]
    origin, rest = ["_arrival_date", "_file", "_row"], ["_extra", "_line", "_parse_error"]
    return [*origin, *schema.field_names, *rest, *natives]


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


def _columnar_select(schema: StreamSchema, arrow: pa.Schema, refused_because: str | None, source: str) -> str:
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


def _jsonl_select(schema: StreamSchema, source: str) -> str:
    fields = ", ".join(_json_field(f.name, f.kind == "decimal") for f in schema.all_fields)
    natives = "".join(f", {value}" for value in _native_values(schema, {}, refused=False))  # JSON: text
    return f"""
        with lines as (
            select *, coalesce(json_valid(_line), false) as _valid from {source}
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


def _parquet_rows(files: str, paths: str) -> str:
    """Rows of the deferred Parquet files listed in the registered table `files`, read by DuckDB from the
    paths bound to the parameter `paths`."""
    return f"""(
    select r.*, f._arrival_date, f._file, r.file_row_number + 1 as _row
    from read_parquet(${paths}, filename = true, file_row_number = true) as r
    inner join {files} as f on r.filename = f._path
)"""


def _broken_rows_select(schema: StreamSchema, source: str) -> str:
    """Records that could not be split into fields: only their text and the reason."""
    fields = ", ".join("cast(null as varchar)" for _ in schema.field_names)
    natives = "".join(f", cast(null as {SQL_TYPES[f.kind]})" for f in _native_fields(schema))
    return (
        f"select _arrival_date, _file, _row, {fields}, cast(null as varchar), _line, _parse_error{natives} "
        f"from {source}"
    )


@dataclass
class _Sources:
    """The SELECTs of one batch's rows, each over tables registered on the connection under `names`."""

    selects: list[str] = field(default_factory=list)
    params: dict[str, list[str]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)

    def register(self, con: duckdb.DuckDBPyConnection, table: pa.Table) -> str:
        name = f"_stage_source_{len(self.names)}"
        con.register(name, table)
        self.names.append(name)
        return name

    def unregister(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in self.names:
            con.unregister(name)


def _parquet_source(
    con: duckdb.DuckDBPyConnection, sources: _Sources, schema: StreamSchema, members: list[StagedFile]
) -> str:
    """The SELECT of deferred Parquet files of one shape; adds it to `sources` and returns it."""
    files = sources.register(
        con,
        pa.table(
            {
                "_path": pa.array([str(m.read.path) for m in members], pa.string()),
                "_arrival_date": pa.array([m.arrival_date for m in members], pa.date32()),
                "_file": pa.array([m.source_file for m in members], pa.string()),
            }
        ),
    )
    paths = f"{files}_paths"
    sources.params[paths] = [str(m.read.path) for m in members]
    read = members[0].read
    select = _columnar_select(schema, read.arrow_schema, read.refused_because, _parquet_rows(files, paths))
    sources.selects.append(select)
    return select


def _deferred_groups(files: list[StagedFile]) -> list[list[StagedFile]]:
    """Deferred Parquet files grouped by shape: one read_parquet per group."""
    groups: dict[tuple, list[StagedFile]] = defaultdict(list)
    for item in files:
        if item.read.readable and item.read.rows_deferred:
            groups[(item.read.refused_because, item.read.arrow_schema)].append(item)
    return list(groups.values())


def _batch_sources(con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: list[StagedFile]) -> _Sources:
    """Every row source of the batch: deferred Parquet read by DuckDB, files read into Arrow (one SELECT per
    shape) and the broken records."""
    sources = _Sources()
    for members in _deferred_groups(files):
        _parquet_source(con, sources, schema, members)
    tables: dict[tuple, list[StagedFile]] = defaultdict(list)
    for item in files:
        if item.read.table is not None:
            tables[(item.read.fmt, item.read.refused_because, item.read.arrow_schema)].append(item)
    for (fmt, refused_because, arrow), members in tables.items():
        group = sources.register(con, pa.concat_tables([_tagged(m) for m in members]))
        sources.selects.append(
            _jsonl_select(schema, group)
            if fmt == "jsonl"
            else _columnar_select(schema, arrow, refused_because, group)
        )
    broken = [
        (item.arrival_date, item.source_file, n, text, why)
        for item in files
        for n, text, why in item.read.broken_rows
    ]
    broken_table = pa.table(
        {
            "_arrival_date": pa.array([b[0] for b in broken], pa.date32()),
            "_file": pa.array([b[1] for b in broken], pa.string()),
            "_row": pa.array([b[2] for b in broken], pa.int64()),
            "_line": pa.array([b[3] for b in broken], pa.string()),
            "_parse_error": pa.array([b[4] for b in broken], pa.string()),
        }
    )
    sources.selects.append(_broken_rows_select(schema, sources.register(con, broken_table)))
    return sources


def _union(schema: StreamSchema, selects: list[str]) -> str:
    columns = ", ".join(stage_columns(schema))
    return "(" + " union all ".join(f"select * from ({s}) as _s({columns})" for s in selects) + ") as _stage"


def _create_checked(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: list[StagedFile], checked: str
) -> None:
    sources = _batch_sources(con, schema, files)
    try:
        con.execute(
            f"create or replace temp table {checked} as "
            f"select *, case when len(_reasons) = 0 then {content_hash_expr(schema)} end as _hash "
            f"from ({checked_select(schema, _union(schema, sources.selects))})",
            sources.params,
        )
    finally:
        sources.unregister(con)


def _groups_duckdb_cannot_read(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: list[StagedFile], probe: str
) -> list[StagedFile]:
    """The deferred Parquet files of every shape group that DuckDB fails to read (a corrupt page, invalid
    UTF-8), found by reading each group alone into `probe`."""
    failed = []
    for members in _deferred_groups(files):
        sources = _Sources()
        try:
            select = _parquet_source(con, sources, schema, members)
            con.execute(f"create or replace temp table {probe} as {select}", sources.params)
        except duckdb.Error:
            failed += members
        finally:
            sources.unregister(con)
    con.execute(f"drop table if exists {probe}")
    return failed


def _read_here(item: StagedFile, schema: StreamSchema) -> StagedFile:
    return StagedFile(item.arrival_date, item.source_file, read_file(item.read.path, schema))


def stage_and_check(
    con: duckdb.DuckDBPyConnection, schema: StreamSchema, files: Iterable[StagedFile], checked: str
) -> list[StagedFile]:
    """`checked`: every readable row of the batch's files with typed `_<field>` columns, `_reasons` and,
    when valid, `_hash`, made in one statement (the rows are never staged as a table of their own).

    If DuckDB cannot read a group of deferred Parquet files, the groups are read one by one to find it,
    its files are read here instead (so an unreadable one is recorded as such) and the statement runs
    again. Returns the files as finally read. Touches temp tables only."""
    register_functions(con)
    files = list(files)
    try:
        _create_checked(con, schema, files, checked)
    except duckdb.Error:
        failed = {id(f) for f in _groups_duckdb_cannot_read(con, schema, files, checked)}
        if not failed:
            raise
        files = [_read_here(f, schema) if id(f) in failed else f for f in files]
        _create_checked(con, schema, files, checked)
    return files
