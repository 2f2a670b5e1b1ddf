"""The export of the dbt sources for Spark (pipelines/spark/inputs.py): its files hold each table exactly,
and a later export writes only the months whose events changed, removing the months that are gone. What
Spark makes of the files is tested in test_spark_target.py."""

from __future__ import annotations

import duckdb

from pipelines.config.paths import spark_input_folder
from pipelines.spark.inputs import INPUT_TABLES, export_inputs, exported_select
from tests.support.copies import use_copy_of


def differences(database, inputs) -> dict[str, tuple[int, int]]:
    """Rows only in the table, rows only in its files, per table that differs."""
    found = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for schema, table in INPUT_TABLES:
            files = str(spark_input_folder(inputs, schema, table) / "*.parquet")
            table_rows = exported_select(con, schema, table)
            file_rows = "select * from read_parquet($files)"
            only_table, only_files = (
                con.execute(f"select count(*) from ({a} except all {b})", {"files": files}).fetchone()[0]
                for a, b in ((table_rows, file_rows), (file_rows, table_rows))
            )
            if (only_table, only_files) != (0, 0):
                found[f"{schema}.{table}"] = (only_table, only_files)
    return found


MONTH = "strftime(timezone('UTC', occurred_at), '%Y-%m')"


def month_files(inputs, table: str) -> dict[str, float]:
    return {f.stem: f.stat().st_mtime_ns for f in spark_input_folder(inputs, "raw", table).glob("*.parquet")}


def test_an_export_holds_every_table_and_the_next_writes_only_the_changed_months(
    simulated_business, tmp_path, monkeypatch
):
    paths = use_copy_of(simulated_business, tmp_path / "warehouse", monkeypatch)
    inputs = tmp_path / "inputs"
    first = export_inputs(paths.database, inputs)
    assert differences(paths.database, inputs) == {}
    months = month_files(inputs, "sales_events")
    assert len(months) >= 5 * 12  # five years of events, a file per month

    again = export_inputs(paths.database, inputs)
    assert again == {f"{schema}.{table}": 0 for schema, table in INPUT_TABLES}
    assert month_files(inputs, "sales_events") == months

    # a corrected old event, and a month whose events are all withdrawn
    changed, withdrawn = sorted(months)[3], sorted(months)[-1]
    with duckdb.connect(str(paths.database)) as con:
        con.execute(
            "update raw.sales_events set amount = amount + 1 where event_id = (select min(event_id) "
            f"from raw.sales_events where {MONTH} = $m and amount is not null)",
            {"m": changed},
        )
        con.execute(
            f"delete from raw.sales_events where {MONTH} = $m",
            {"m": withdrawn},
        )
        [(rows_of_changed,)] = con.execute(
            f"select count(*) from raw.sales_events where {MONTH} = $m",
            {"m": changed},
        ).fetchall()
    third = export_inputs(paths.database, inputs)
    assert third == {**{k: 0 for k in first if k in again}, "raw.sales_events": rows_of_changed}
    after = month_files(inputs, "sales_events")
    assert set(after) == set(months) - {withdrawn}
    assert [m for m in after if after[m] != months[m]] == [changed]
    assert differences(paths.database, inputs) == {}
