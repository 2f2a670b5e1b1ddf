"""Tables Python owns, written from data frames: created from a declared column list (the contract) and
filled in one transaction, so readers see the old rows or the new ones, never a half-written table."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from pipelines.warehouse.connections import transaction
from pipelines.warehouse.sql import ident

Columns = tuple[tuple[str, str], ...]  # (name, DuckDB type with constraints)


def _create(con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: Columns) -> None:
    ddl = ", ".join(f"{ident(name)} {kind}" for name, kind in columns)
    con.execute(f"create schema if not exists {ident(schema)}")
    con.execute(f"create or replace table {ident(schema)}.{ident(table)} ({ddl})")


def _insert(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: Columns, frame: pd.DataFrame
) -> None:
    if frame.empty:
        return
    names = ", ".join(ident(name) for name, _ in columns)
    con.register("frame_to_insert", frame[[name for name, _ in columns]])
    try:
        con.execute(
            f"insert into {ident(schema)}.{ident(table)} ({names}) select {names} from frame_to_insert"
        )
    finally:
        con.unregister("frame_to_insert")


def replace_tables(
    con: duckdb.DuckDBPyConnection, schema: str, tables: Mapping[str, tuple[Columns, pd.DataFrame]]
) -> None:
    """Each table holds exactly its frame's rows afterwards (created again: a new version's columns take
    effect), all of them in one transaction."""
    with transaction(con):
        for table, (columns, frame) in tables.items():
            _create(con, schema, table, columns)
            _insert(con, schema, table, columns, frame)


def export_tables(exports: Path, tables: Mapping[str, tuple[Columns, pd.DataFrame]]) -> None:
    """Each table as `<exports>/<table>/<table>.parquet`, in the columns and types of the DuckDB table,
    beside the marts another engine exported; each folder is replaced whole."""
    with duckdb.connect() as con:
        replace_tables(con, "marts", tables)
        for table in tables:
            folder = exports / table
            partial = folder.with_name(f".{table}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            arrow = con.sql(f"select * from marts.{ident(table)}").to_arrow_table()
            pq.write_table(arrow, partial / f"{table}.parquet")
            shutil.rmtree(folder, ignore_errors=True)
            partial.rename(folder)


def read_exported(exports: Path, table: str) -> pd.DataFrame:
    """A mart another engine built, from its export (`<exports>/<table>/*.parquet`)."""
    with duckdb.connect() as con:
        return con.execute("select * from read_parquet(?)", [str(exports / table / "*.parquet")]).df()
