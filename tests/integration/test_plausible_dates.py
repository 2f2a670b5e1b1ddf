"""Dates outside a plausible window are refused before they reach a model: events before the earliest
business date or with an offset past +-14:00 are quarantined, and an as-of date outside the events' span
stops the build naming the setting."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contract import STREAMS
from pipelines.contract.window import EARLIEST_DATE_ENV, earliest_business_date
from pipelines.dbt.invoke import DbtFailed, run_models
from pipelines.raw.loader import landed_days, load_days
from tests.support.landing import invoice_row, land_small_account, write_jsonl


def sale(event_id: str, occurred_at: str) -> dict:
    return invoice_row(event_id, occurred_at=occurred_at, amount="10")


def load(con: duckdb.DuckDBPyConnection, landing) -> None:
    for schema in STREAMS.values():
        load_days(con, landing, schema, landed_days(landing, schema.name))


def test_events_before_the_earliest_business_date_or_with_an_impossible_offset_are_quarantined(
    tmp_path, monkeypatch
):
    rows = [
        sale("Y1", "0001-01-01"),  # one account then had 24,283 monthly rows
        sale("O1", "2024-03-01T10:00:00+99:00"),
        sale("O2", "2024-03-01T10:00:00-14:30"),
        sale("E1", "1969-12-31T23:00:00Z"),
        sale("OK1", "2024-03-01T10:00:00+14:00"),
        sale("OK2", "1970-01-01"),
    ]
    write_jsonl(tmp_path, "sales", "2024-03-05", "a.jsonl", rows)
    con = duckdb.connect()
    load(con, tmp_path)
    reasons = dict(con.execute("select event_id, reason from raw.quarantine").fetchall())
    assert reasons == {
        "Y1": "invalid occurred_at: before the earliest business date 1970-01-01 (LIFECYCLE_EARLIEST_DATE): "
        "0001-01-01",
        "O1": "invalid occurred_at: offset beyond +-14:00: 2024-03-01T10:00:00+99:00",
        "O2": "invalid occurred_at: offset beyond +-14:00: 2024-03-01T10:00:00-14:30",
        "E1": "invalid occurred_at: before the earliest business date 1970-01-01 (LIFECYCLE_EARLIEST_DATE): "
        "1969-12-31T23:00:00Z",
    }
    assert sorted(r[0] for r in con.execute("select event_id from raw.sales_events").fetchall()) == [
        "OK1",
        "OK2",
    ]

    # a business that starts later says so: its earlier rows are quarantined
    monkeypatch.setenv(EARLIEST_DATE_ENV, "2020-01-01")
    later = duckdb.connect()
    load(later, tmp_path)
    assert later.execute("select event_id from raw.sales_events").fetchall() == [("OK1",)]


@pytest.mark.parametrize("value", ["yesterday", "1899-12-31", "2999-01-01"])
def test_the_earliest_business_date_setting_is_checked(value):
    with pytest.raises(ValueError, match=EARLIEST_DATE_ENV):
        earliest_business_date({EARLIEST_DATE_ENV: value})


def test_an_as_of_date_outside_the_events_stops_the_build_naming_the_setting(tmp_path):
    land_small_account(tmp_path / "landing", "A", "2024-03-06")  # events of 2024-03-01 .. 2024-03-05
    with duckdb.connect(str(tmp_path / "lifecycle.duckdb")) as con:
        load(con, tmp_path / "landing")
    for far in ("9999-12-31", "0001-01-01", "2024-02-29", "2034-03-07"):
        # 9999-12-31 wrote 28.7M rows per monthly mart for 300 accounts; 0001-01-01 emptied every mart
        with pytest.raises(DbtFailed, match=f"setting as_of_date {far} lies outside the events"):
            run_models(tmp_path, {"as_of_date": far})
    run_models(tmp_path, {"as_of_date": "2034-03-06"})  # up to ten years (3,653 days) after the last event
    with duckdb.connect(str(tmp_path / "lifecycle.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.accounts").fetchone() == (1,)
