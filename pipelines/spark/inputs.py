"""The dbt sources as Parquet files for Spark: `<warehouse>/spark/inputs/<schema>/<table>.parquet`.

Spark cannot open the DuckDB file, so every table the dbt project reads with `source()` is exported
before a Spark build, and the build's on-run-start hook (macros/spark/inputs.sql) puts a view over each
file. Each file is replaced atomically; JSON columns travel as text (Parquet readers differ on JSON).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.serving.publish import write_parquet
from pipelines.warehouse.sql import ident

# (schema, table) of every dbt source; tests/unit/test_spark_inputs.py keeps it equal to the project's
INPUT_TABLES = (
    ("finance", "month_closes"),
    ("finance", "published_figures"),
    ("raw", "account_changes"),
    ("raw", "contact_events"),
    ("raw", "fx_rates"),
    ("raw", "sales_events"),
    ("raw", "service_events"),
)


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
    return counts
