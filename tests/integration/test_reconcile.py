"""A daily run recomputes only the accounts its loads touched; `lifecycle reconcile` proves the result
equals a full rebuild, and finds a table that drifted; `lifecycle run --full-refresh` repairs it."""

from __future__ import annotations

import duckdb

from pipelines.cli import main
from tests.support.landing import land_small_account


def last_build(warehouse) -> tuple:
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        return con.execute(
            "select reason, accounts_recomputed, json_extract_string(settings, '$.lost_after_days') "
            "from intermediate.int_builds_completed order by completed_at desc limit 1"
        ).fetchone()


def shadow_schemas(warehouse) -> list:
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        return con.execute(
            "select schema_name from information_schema.schemata where schema_name like '%_shadow'"
        ).fetchall()


RUN = ["run", "--quiet", "--no-record", "--var", "lost_after_days=200"]


def test_a_daily_run_recomputes_the_touched_accounts_and_reconciles_with_a_full_rebuild(warehouse, capsys):
    for account in ("acme", "globex", "initech"):
        land_small_account(warehouse.landing, account, "2024-03-06")
    assert main(RUN) == 0
    assert last_build(warehouse) == ("first build", 3, "200")

    land_small_account(warehouse.landing, "umbrella", "2024-03-07")  # the next day: one new account
    assert main([*RUN, "--start", "2024-03-07"]) == 0
    assert last_build(warehouse) == ("incremental", 1, "200")

    capsys.readouterr()
    assert main(["reconcile"]) == 0  # with the settings of the live build (lost_after_days=200)
    assert "equal:" in capsys.readouterr().out
    assert shadow_schemas(warehouse) == []

    # known bad: a live per-account table loses a row behind the pipeline's back
    with duckdb.connect(str(warehouse.database)) as con:
        con.execute("delete from intermediate.int_stage_timeline_evaluated where account_id = 'acme'")
    assert main(["reconcile"]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS intermediate.int_stage_timeline_evaluated" in out
    assert "lifecycle run --full-refresh" in out
    assert shadow_schemas(warehouse) == []

    assert main([*RUN, "--full-refresh"]) == 0
    assert last_build(warehouse)[0] == "full refresh requested"
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert con.execute(
            "select count(*) from intermediate.int_stage_timeline_evaluated where account_id = 'acme'"
        ).fetchone() != (0,)


def test_reconcile_of_a_warehouse_never_built_says_what_to_do(warehouse, capsys):
    duckdb.connect(str(warehouse.database)).close()  # loaded nothing, built nothing
    assert main(["reconcile"]) == 2
    assert capsys.readouterr().err == (
        "lifecycle reconcile: error: no completed build to reconcile: run `lifecycle run` first\n"
    )
