"""The dbt sources as Parquet files for Spark: `<warehouse>/spark/inputs/<schema>/<table>/<part>.parquet`.

Spark cannot open the DuckDB file, so every table the dbt project reads with `source()` is exported
before a Spark build, and the build's on-run-start hook (macros/spark/inputs.sql) puts a view over each
table's folder. The event tables are split by the month of the event, the load bookkeeping by blocks of
load ids; a part is written again only when its rows changed (their count and the sum of their row
hashes, kept in `_parts.json`), so a day's build writes the months its loads touched, not the history.
Each file is replaced atomically, and `_parts.json` last: an export stopped part way is finished by the
next. JSON columns travel as text (Parquet readers differ on JSON).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.config.paths import SPARK_WHOLE_TABLE, spark_input_file, spark_input_folder
from pipelines.forecast.tables import ACCOUNTS_TABLE, FORECAST_MARTS
from pipelines.serving.publish import temporary_name, write_parquet
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

_EVENT_MONTH = "strftime(timezone('UTC', occurred_at), '%Y-%m')"
# The part of each row, for the tables that grow with the history (the others are one file). A day's
# loads add to the latest months and blocks; late or corrected events rewrite the months they fall in.
PARTS = {
    ("raw", "account_changes"): "'loads-' || cast(load_id // 1000 as varchar)",
    ("raw", "contact_events"): _EVENT_MONTH,
    ("raw", "sales_events"): _EVENT_MONTH,
    ("raw", "service_events"): _EVENT_MONTH,
}
PARTS_FILE = "_parts.json"


# The sources Python writes between the dbt steps of a build: on Spark the forecast step writes their
# files itself (pipelines/forecast/tables.py), from the Spark marts; until it has, an empty file of the
# right columns stands in, so the views over the sources can be made.
PYTHON_INPUTS: dict[tuple[str, str], Columns] = {("marts", ACCOUNTS_TABLE): FORECAST_MARTS[ACCOUNTS_TABLE]}


def exported_select(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """`select` of every column of the table, JSON columns cast to text."""
    relation = f"{ident(schema)}.{ident(table)}"
    columns = con.execute(f"describe {relation}").fetchall()
    listed = ", ".join(
        f"cast({ident(name)} as varchar) as {ident(name)}" if kind == "JSON" else ident(name)
        for name, kind, *_ in columns
    )
    return f"select {listed} from {relation}"


def part_fingerprints(con: duckdb.DuckDBPyConnection, select: str, part: str) -> dict[str, str]:
    """Rows and the sum of their hashes per part of `select`'s rows; one empty part when it has none."""
    columns = [name for name, *_ in con.execute(f"describe {select}").fetchall()]
    hashed = f"hash({', '.join(ident(c) for c in columns)})"
    rows = con.execute(
        f"select {part} as part, count(*), cast(sum({hashed}) as varchar) "
        f"from ({select}) group by all order by part"
    ).fetchall()
    return {str(p): f"{n}:{h}" for p, n, h in rows} or {SPARK_WHOLE_TABLE: "0:0"}


def export_table(con: duckdb.DuckDBPyConnection, folder: Path, schema: str, table: str) -> int:
    """Bring `folder`'s files of the table up to date: the parts whose rows changed since the last export
    written again, those gone removed; rows written."""
    target = spark_input_folder(folder, schema, table)
    target.mkdir(parents=True, exist_ok=True)
    (folder / schema / f"{table}.parquet").unlink(missing_ok=True)  # the earlier layout: one file
    select = exported_select(con, schema, table)
    part = PARTS.get((schema, table), f"'{SPARK_WHOLE_TABLE}'")
    now = part_fingerprints(con, select, part)
    record = target / PARTS_FILE
    before = json.loads(record.read_text()) if record.exists() else {}
    kept = before.get("parts", {}) if before.get("select") == select and before.get("part") == part else {}
    written = 0
    for name, fingerprint in now.items():
        file = spark_input_file(folder, schema, table, name)
        if kept.get(name) != fingerprint or not file.exists():
            rows = con.sql(f"select * from ({select}) where {part} = $p", params={"p": name})
            written += write_parquet(rows.to_arrow_reader(), file)
    for stale in target.glob("*.parquet"):
        if stale.stem not in now:
            stale.unlink()
    partial = temporary_name(record)
    partial.write_text(json.dumps({"select": select, "part": part, "parts": now}, sort_keys=True))
    os.replace(partial, record)
    return written


def export_inputs(database: Path, folder: Path) -> dict[str, int]:
    """Bring the export of every input table of `database` under `folder` up to date; rows written per
    `schema.table` (0: nothing had changed)."""
    counts: dict[str, int] = {}
    con = duckdb.connect(str(database), read_only=True)
    try:
        for schema, table in INPUT_TABLES:
            counts[f"{schema}.{table}"] = export_table(con, folder, schema, table)
    finally:
        con.close()
    for (schema, table), columns in PYTHON_INPUTS.items():
        target = spark_input_file(folder, schema, table)
        (folder / schema / f"{table}.parquet").unlink(missing_ok=True)  # the earlier layout
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
