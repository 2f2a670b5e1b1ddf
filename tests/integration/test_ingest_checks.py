"""Every ingest check passes on good data and fails on a known-bad fixture."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from pipelines.contract import STREAMS
from pipelines.defs.quality import expectations, ingest_checks
from pipelines.quality import expectations as quality_expectations
from pipelines.raw.fx import FxRatesError, load_fx_rates
from pipelines.raw.loader import landed_days, load_days
from tests.support.landing import write_jsonl

DAY = date(2024, 3, 1)
GOOD = {
    "event_id": "c-1",
    "event_type": "call",
    "occurred_at": "2024-03-01T10:00:00Z",
    "account_id": "A",
    "contact_person_id": "p1",
}


@pytest.fixture
def loaded(warehouse):
    landing = warehouse.landing
    write_jsonl(landing, "contact", DAY, "good.jsonl", [GOOD, dict(GOOD, event_id="c-2")])
    con = duckdb.connect(str(warehouse.database))
    load_days(con, landing, STREAMS["contact"], landed_days(landing, "contact"))
    yield warehouse, con
    con.close()


def test_rows_balance_fails_on_a_tampered_audit_row(loaded):
    _, con = loaded
    assert ingest_checks.rows_balance(con, "contact", [DAY]).passed
    con.execute("update raw.ingest_batches set rows_accepted = rows_accepted - 1")
    result = ingest_checks.rows_balance(con, "contact", [DAY])
    assert not result.passed
    assert result.metadata["unbalanced_files"].value == 1


def test_quarantine_rate_warns_above_threshold(loaded):
    warehouse, con = loaded
    assert ingest_checks.quarantine_rate(con, "contact", [DAY], 0.05).passed
    write_jsonl(
        warehouse.landing, "contact", DAY, "bad.jsonl", [dict(GOOD, event_id="c-3", event_type="fax")]
    )
    load_days(con, warehouse.landing, STREAMS["contact"], [DAY])
    result = ingest_checks.quarantine_rate(con, "contact", [DAY], 0.05)
    assert not result.passed
    assert result.severity.value == "WARN"
    assert result.metadata["rows_quarantined"].value == 1
    assert ingest_checks.quarantine_rate(con, "contact", [DAY], 0.5).passed


def test_unreadable_file_fails_the_days_check(loaded):
    warehouse, con = loaded
    assert ingest_checks.no_unreadable_files(con, "contact", [DAY]).passed
    (warehouse.landing / "contact" / DAY.isoformat() / "broken.csv").write_bytes(b"\xff\xfe\x00garbage")
    load_days(con, warehouse.landing, STREAMS["contact"], [DAY])
    result = ingest_checks.no_unreadable_files(con, "contact", [DAY])
    assert not result.passed
    assert result.severity.value == "ERROR"
    assert "contact/2024-03-01/broken.csv" in result.metadata["files"].value
    # the good file of that day is still loaded
    assert con.execute("select count(*) from raw.contact_events").fetchone()[0] == 2


def test_expectations_pass_on_loaded_rows_and_fail_on_a_bad_extract(loaded):
    _, con = loaded
    assert expectations.expectations_check(con, STREAMS["contact"], [DAY]).passed
    bad = pd.DataFrame(
        {
            "event_id": ["x", "x", None],
            "event_type": ["call", "fax", "call"],
            "occurred_at": pd.to_datetime(["2024-01-01"] * 3, utc=True),
            "account_id": ["A"] * 3,
            "contact_person_id": ["p"] * 3,
            "rep_id": [None] * 3,
            "direction": ["inbound"] * 3,
        }
    )
    success, failed = quality_expectations.validate_frame(STREAMS["contact"], bad)
    assert not success
    failures = {(f["expectation"], f["column"]) for f in failed}
    assert ("expect_column_values_to_not_be_null", "event_id") in failures
    assert ("expect_column_values_to_be_in_set", "event_type") in failures
    assert ("expect_column_values_to_be_unique", "event_id") in failures


def test_the_expectations_see_every_row_of_the_checked_days_in_a_longer_history(warehouse, monkeypatch):
    """The extract samples a day's rows only beyond MAX_ROWS of them. It sampled MAX_ROWS rows of the whole
    table and then kept the day's: a day checked on a share of its rows, after a scan of the history
    (50 s of a one-day run at 10M events)."""
    landing, day = warehouse.landing, date(2024, 3, 2)
    history = [dict(GOOD, event_id=f"h-{n}") for n in range(60)]
    write_jsonl(landing, "contact", DAY, "history.jsonl", history)
    write_jsonl(landing, "contact", day, "day.jsonl", [dict(GOOD, event_id=f"d-{n}") for n in range(8)])
    with duckdb.connect(str(warehouse.database)) as con:
        load_days(con, landing, STREAMS["contact"], landed_days(landing, "contact"))
        monkeypatch.setattr(quality_expectations, "MAX_ROWS", 10)
        assert len(quality_expectations.extract(con, STREAMS["contact"], [day])) == 8
        assert len(quality_expectations.extract(con, STREAMS["contact"], [DAY, day])) == 10  # sampled


def test_fx_rates_load_and_bad_rows_are_named(warehouse):
    folder = warehouse.landing / "fx_rates"
    folder.mkdir(parents=True)
    (folder / "rates.csv").write_text(
        "rate_date,base_currency,currency,rate\n2024-03-01,EUR,PLN,4.3\n2024-03-01,EUR,USD,1.08\n"
    )
    con = duckdb.connect(str(warehouse.database))
    assert load_fx_rates(con, warehouse.landing) == {"files": 1, "rows": 2}
    (folder / "more.csv").write_text(
        "rate_date,base_currency,currency,rate\n2024-03-02,EUR,PLN,4.3\n2024-03-02,EUR,PLN,-1\n"
    )
    with pytest.raises(FxRatesError, match=r"fx_rates/more.csv: row 2: invalid rate"):
        load_fx_rates(con, warehouse.landing)
    # the failed load changed nothing
    assert con.execute("select count(*) from raw.fx_rates").fetchone()[0] == 2
