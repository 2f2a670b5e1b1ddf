"""The same dbt project builds the same marts on Apache Spark as on DuckDB (docs/spark.md).

A small simulated business with every kind of event, a closed month and later arrivals that restate it is
built on DuckDB and on a local Spark session (Iceberg tables, the dbt tests included): first the early
arrivals, then the later ones, built incrementally on both by `lifecycle run` (`--target spark`). Every
mart must match its DuckDB twin: the same columns and types, and the same rows, decimals to the last
digit, dates equal; floating-point ratios to 9 decimals (the two engines may round the last bit of a
double differently).

The first Spark build makes only the incremental models and what they read: every other model is a
table each build makes from scratch, so the incremental build makes all of them again (a Spark build costs
a statement's overhead per model, whatever the size of the data).
"""

from __future__ import annotations

import logging
from datetime import date
from unittest import mock

import duckdb
import pytest
from dagster_dbt import DbtCliResource

from pipelines.cli import main
from pipelines.config.engine import engine_settings
from pipelines.config.lifecycle import settings_from
from pipelines.config.paths import WarehousePaths
from pipelines.contract import STREAMS
from pipelines.dbt.args import dbt_build_args, in_process_args, warehouse_var
from pipelines.dbt.invoke import parsed_project, run_in_process
from pipelines.dbt.project import DBT_PROJECT_DIR
from pipelines.defs.dbt.assets import builds_in_process, prepare_spark_build
from pipelines.quality.reconcile import difference_counts
from pipelines.serving.publish import mart_tables
from pipelines.spark.session import release_session
from pipelines.warehouse.sql import ident, lit
from tests.support.delivery import simulated_warehouse
from tests.support.landing import write_jsonl

pytestmark = pytest.mark.integration

LOST_AFTER_DAYS = 120  # a short horizon: losses and win-backs within two years
RULES = ["--var", f"lost_after_days={LOST_AFTER_DAYS}"]


def spark_build_of_the_incremental_models(paths: WarehousePaths) -> None:
    """`dbt build --target spark --select +config.materialized:incremental`, invoked as the dbt step of
    `lifecycle run --target spark` invokes it (pipelines/defs/dbt/assets.py: in this process, whose Spark
    session the run's builds then use too), with the same settings, and the unit tests of those models.
    Not their data tests: the incremental build that follows runs every data test of the project on
    Spark."""
    target_path, spark = prepare_spark_build(paths, logging.getLogger(__name__))
    profile_vars = engine_settings(paths.root).dbt_vars() | spark
    assert builds_in_process(paths, "spark", profile_vars)
    args = dbt_build_args(
        settings_from({"lost_after_days": LOST_AFTER_DAYS}).changed_vars(),
        warehouse_var(paths.root),
        select="+config.materialized:incremental",
        target="spark",
        profile_vars=profile_vars,
        unit_tests=True,  # dbt's unit tests of these models, on Spark (a load runs none)
    )
    args = in_process_args([*args, "--exclude", "test_type:data"], DBT_PROJECT_DIR, target_path)
    run_in_process(args, paths.root, parsed_project(target_path, "spark", spark))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(warehouse paths, connection to the DuckDB warehouse with a view per Spark mart in `spark_marts`)."""
    # events of 2023, 2024 and the few of December 2024 that arrive in January 2025: three arrival days
    with simulated_warehouse(
        tmp_path_factory.mktemp("spark"),
        {2023: "2030-01-01", 2024: "2030-01-02", 2025: "2030-01-03"},
        ["--end", "2030-01-02", *RULES],
        accounts=60,
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        seed=7,
    ) as paths:
        assert main(["close-month", "2024-12"]) == 0
        # a credit note for a December invoice arrives with the late events: it restates the closed month
        # whatever the simulator's own late arrivals hold
        with duckdb.connect(str(paths.database), read_only=True) as con:
            [(account, order, invoice, currency)] = con.execute(
                "select account_id, order_id, invoice_id, currency from raw.sales_events "
                "where event_type = 'invoice_issued' and occurred_at >= timestamptz '2024-12-01 00:00:00+00' "
                "order by event_id limit 1"
            ).fetchall()
        credit = {
            "event_id": "late-credit-1",
            "event_type": "credit_note_issued",
            "occurred_at": "2024-12-30T12:00:00Z",
            "account_id": account,
            "order_id": order,
            "invoice_id": invoice,
            "amount": "10.00",
            "currency": currency,
        }
        write_jsonl(paths.landing, "sales", "2030-01-03", "late-credit.jsonl", [credit])
        spark_run = ["run", "--quiet", "--no-record", "--target", "spark", *RULES]
        spark_build_of_the_incremental_models(paths)
        late = ["--start", "2030-01-03"]  # late December events, which restate the closed month
        assert main(["run", "--quiet", "--no-record", *RULES, *late]) == 0
        # on Spark, an incremental build of the accounts they touched; both dbt steps in this process, on
        # the Spark session the first build started (no dbt subprocess)
        with mock.patch.object(DbtCliResource, "cli", side_effect=AssertionError("a dbt subprocess")):
            assert main([*spark_run, *late]) == 0
        con = duckdb.connect(str(paths.database))
        con.execute("create schema spark_marts")
        for folder in sorted(paths.spark_exports.iterdir()):
            files = lit(str(folder / "*.parquet"))
            con.execute(
                f"create view spark_marts.{ident(folder.name)} as select * from read_parquet({files})"
            )
        yield paths, con
        con.close()
        release_session()  # the JVM's memory, for the rest of this worker's tests


def test_the_fixture_has_every_kind_of_event_and_a_restated_close(built):
    _, con = built
    for stream in STREAMS.values():
        found = {
            r[0] for r in con.execute(f"select distinct event_type from raw.{stream.name}_events").fetchall()
        }
        assert found == set(stream.event_types), stream.name
    assert con.execute("select count(*) from marts.restatements").fetchone()[0] > 0


def test_spark_builds_every_mart_with_the_same_columns_and_types(built):
    _, con = built
    marts = mart_tables(con)
    spark = [
        r[0]
        for r in con.execute(
            "select view_name from duckdb_views() where schema_name = 'spark_marts'"
        ).fetchall()
    ]
    assert sorted(spark) == marts
    for mart in marts:
        duck_columns = con.execute(f"describe marts.{ident(mart)}").fetchall()
        spark_columns = con.execute(f"describe spark_marts.{ident(mart)}").fetchall()
        assert [c[:2] for c in spark_columns] == [c[:2] for c in duck_columns], mart


def test_spark_marts_equal_the_duckdb_marts_row_for_row(built):
    _, con = built
    differing = {}
    for mart in mart_tables(con):
        assert con.execute(f"select count(*) from marts.{ident(mart)}").fetchone()[0] > 0, mart
        counts = difference_counts(
            con, f"marts.{ident(mart)}", f"spark_marts.{ident(mart)}", float_decimals=9
        )
        if counts != (0, 0):
            differing[mart] = counts
    assert differing == {}


def test_the_last_spark_build_recomputed_only_the_touched_accounts(built):
    paths, con = built
    # the Iceberg table's data files (int_builds_completed is only ever appended to)
    files = lit(
        str(paths.spark / "tables" / "intermediate.db" / "int_builds_completed" / "data" / "*.parquet")
    )
    builds = con.execute(
        f"select reason, accounts_recomputed from read_parquet({files}) order by completed_at"
    ).fetchall()
    accounts = con.execute("select count(*) from marts.accounts").fetchone()[0]
    assert [b[0] for b in builds] == ["first build", "incremental"]
    assert 0 < builds[1][1] < accounts


def test_spark_stage_history_is_the_duckdb_one(built):
    _, con = built
    query = "select account_id, stage, valid_from, valid_to from {}.lifecycle_history order by all"
    assert (
        con.execute(query.format("spark_marts")).fetchall() == con.execute(query.format("marts")).fetchall()
    )


def test_the_builds_share_this_processs_spark_session_which_logs_to_the_warehouse(built):
    from pyspark import SparkContext

    paths, _ = built
    session = SparkContext._active_spark_context
    assert session is not None
    where = session.getConf().get("spark.sql.warehouse.dir")
    assert where.removeprefix("file:") == str(paths.spark / "tables")
    assert "WARN" in (paths.spark / "spark.log").read_text()  # Spark's log, not the terminal
