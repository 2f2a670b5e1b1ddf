"""The dbt sources as Parquet files for Spark: `<warehouse>/spark/inputs/<schema>/<table>.parquet`.

Spark cannot open the DuckDB file, so every table the dbt project reads with `source()` is exported
before a Spark build, and the build's on-run-start hook (macros/spark/inputs.sql) puts a view over each
file. Each file is replaced atomically; JSON columns travel as text (Parquet readers differ on JSON).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines.forecast.tables import ACCOUNTS_TABLE, FORECAST_MARTS
from pipelines.serving.publish import write_parquet
from pipelines.warehouse.frames import Columns, replace_tables
from pipelines.warehouse.sql import ident

# (schema, table) of every dbt source the ingest layer writes; with PYTHON_INPUTS, every dbt source
# (tests/unit/test_spark_inputs.py keeps them equal to the project's)
INPUT_TABLES = (
    ("finance", "month_closes"),
    ("finance", "published_figures"),
    ("raw", "account_changes"),
    ("raw", "contact_events"),
    ("raw", "fx_rates"),
    ("raw", "sales_events"),
    ("raw", "service_events"),
)


# The sources Python writes between the dbt steps of a build: on Spark the forecast step writes their
# files itself (pipelines/forecast/tables.py), from the Spark marts; until it has, an empty file of the
# right columns stands in, so the views over the sources can be made.
PYTHON_INPUTS: dict[tuple[str, str], Columns] = {("marts", ACCOUNTS_TABLE): FORECAST_MARTS[ACCOUNTS_TABLE]}


def input_file(folder: Path, schema: str, table: str) -> Path:
    return folder / schema / f"{table}.parquet"


def exported_select(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """`select` of every column of the table, JSON columns cast to text."""
    relation = f"{ident(schema)}.{ident(table)}"
    columns = con.execute(f"describe {relation}").fetchall()
    listed = ", ".join(
        f"cast({ident(name)} as varchar) as {ident(name)}" if kind == "JSON" else ident(name)
        for name, kind, *_ in columns
    )
    return f"select {listed} from {relation}"


def export_inputs(database: Path, folder: Path) -> dict[str, int]:
    """Write every input table of `database` under `folder`; rows per `schema.table`."""
    counts: dict[str, int] = {}
    con = duckdb.connect(str(database), read_only=True)
    try:
        for schema, table in INPUT_TABLES:
            target = input_file(folder, schema, table)
            target.parent.mkdir(parents=True, exist_ok=True)
            reader = con.sql(exported_select(con, schema, table)).to_arrow_reader()
            counts[f"{schema}.{table}"] = write_parquet(reader, target)
    finally:
        con.close()
    for (schema, table), columns in PYTHON_INPUTS.items():
        target = input_file(folder, schema, table)
        if not target.exists():
            write_empty_parquet(target, columns)
            counts[f"{schema}.{table}"] = 0
    return counts


def write_empty_parquet(target: Path, columns: Columns) -> None:
    """A Parquet file of no rows in `columns` (DuckDB types), as DuckDB writes the table."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        replace_tables(con, "main", {target.stem: (columns, pd.DataFrame(columns=[c for c, _ in columns]))})
        write_parquet(con.sql(f"select * from main.{ident(target.stem)}").to_arrow_reader(), target)
