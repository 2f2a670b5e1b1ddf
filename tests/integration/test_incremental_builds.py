"""Incremental builds equal a full rebuild (issue: daily runs that do a day's work).

Random event histories of a few accounts are split into arrival days, with late events of any age, and
loaded step by step: in order, out of order, a day loaded again, a day corrected (re-delivered without
one of its events). After every later step the warehouse is built incrementally (only the accounts the
loads touched are recomputed) and compared, table for table and row for row, with a full build of the same
landed days on a fresh database (the first step's build is itself that full build).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from pipelines.contract import STREAMS
from pipelines.dbt.invoke import DbtFailed, compile_inline, run_data_tests, run_models
from pipelines.dbt.project import DBT_PROJECT_DIR
from pipelines.quality.reconcile import compare
from pipelines.raw.fx import load_fx_rates
from pipelines.raw.loader import load_days
from tests.support.landing import write_jsonl

pytestmark = pytest.mark.integration

# Short rules, so a few events cross every stage: lost after 60 quiet days, loyal with 2 purchase days in 90.
RULES = {"lost_after_days": 60, "loyal_window_days": 90, "loyal_min_purchase_days": 2}
START = date(2024, 1, 1)
ACCOUNTS = ("A", "B", "C")


@st.composite
def event(draw, n: int) -> dict:
    account = draw(st.sampled_from(ACCOUNTS))
    occurred = START + timedelta(days=draw(st.integers(0, 300)))
    # most events arrive the next day; some months or a year late
    late = draw(st.sampled_from([0, 1, 1, 1, 45, 200, 400]))
    kind = draw(st.sampled_from(["order", "order", "order", "cancel", "invoice", "call", "ticket"]))
    order = f"{account}-o{draw(st.integers(0, 5))}"
    base = {"event_id": f"e{n}", "account_id": account, "occurred_at": f"{occurred}T10:00:00Z"}
    money, invoice = {"amount": "100.00", "currency": "EUR"}, {"invoice_id": f"i{n}"}
    rows = {
        "order": ("sales", {"event_type": "order_placed", "order_id": order, **money}),
        "cancel": ("sales", {"event_type": "order_cancelled", "order_id": order}),
        "invoice": ("sales", {"event_type": "invoice_issued", "order_id": order, **invoice, **money}),
        "call": ("contact", {"event_type": "call", "contact_person_id": "p1"}),
        "ticket": ("service", {"event_type": "ticket_opened", "ticket_id": f"t{n}"}),
    }
    stream, fields = rows[kind]
    return {"stream": stream, "arrival": occurred + timedelta(days=late), "row": base | fields}


@st.composite
def histories(draw) -> tuple[list[dict], list[tuple[str, date]]]:
    """Events, and the steps: ('load', day) in a random order with repeats, and ('correct', day)."""
    events = [draw(event(n)) for n in range(draw(st.integers(3, 14)))]
    days = sorted({e["arrival"] for e in events})
    order = draw(st.permutations(days))
    steps: list[tuple[str, date]] = [("load", d) for d in order]
    for _ in range(draw(st.integers(0, 2))):
        extra = (draw(st.sampled_from(["load", "correct"])), draw(st.sampled_from(days)))
        steps.insert(draw(st.integers(1, len(steps))), extra)
    return events, steps[:4]


def events_of(events: list[dict], day: date, dropped: set[str]) -> list[dict]:
    return [e for e in events if e["arrival"] == day and e["row"]["event_id"] not in dropped]


def land(landing: Path, events: list[dict], day: date, dropped: set[str]) -> None:
    """The files of one arrival day as the producer delivers them now (without the dropped events)."""
    for stream in STREAMS:
        folder = landing / stream / day.isoformat()
        shutil.rmtree(folder, ignore_errors=True)
        rows = [e["row"] for e in events_of(events, day, dropped) if e["stream"] == stream]
        if rows:
            write_jsonl(landing, stream, day, "events.jsonl", rows)


def load(database: Path, landing: Path, days: list[date]) -> None:
    with duckdb.connect(str(database)) as con:
        for schema in STREAMS.values():
            load_days(con, landing, schema, days)


def differences(incremental: Path, fresh: Path) -> dict[str, tuple[int, int]]:
    """Per table: rows only in the incremental build, rows only in the full one (none when equal)."""
    with duckdb.connect(str(incremental), read_only=True) as con:
        con.execute("attach $p as fresh (read_only)", {"p": str(fresh)})
        outcome = compare(con, ("lifecycle", ""), ("fresh", ""))
    assert outcome.tables, "nothing compared"
    return outcome.differences


def order(n: int, account: str, occurred: str, arrival: str) -> dict:
    row = {"event_id": f"x{n}", "account_id": account, "occurred_at": f"{occurred}T10:00:00Z"}
    fields = {"event_type": "order_placed", "order_id": f"o{n}", "amount": "10.00", "currency": "EUR"}
    return {"stream": "sales", "arrival": date.fromisoformat(arrival), "row": row | fields}


# A is untouched while time passes: a later event of B moves the as-of date past A's lost day, and past the
# outcome year of 2024-Q2, at whose start A was buying: that quarter becomes an observation of A's. Then
# B's day is corrected away, and the as-of date goes back before both.
TIME_PASSES = (
    [
        order(1, "A", "2024-01-02", "2024-03-20"),
        order(2, "A", "2024-02-15", "2024-03-20"),
        order(3, "A", "2024-03-20", "2024-03-20"),
        order(4, "B", "2025-04-15", "2025-04-15"),
    ],
    [("load", date(2024, 3, 20)), ("load", date(2025, 4, 15)), ("correct", date(2025, 4, 15))],
)
# A purchase arrives 200 days late and moves A's lost day; then the corrected day removes B's only event.
# B's id holds a quote: a day's few touched accounts reach DuckDB as literals
# (duckdb__touched_accounts_filter).
B_QUOTED = "B O'Brien & Söhne"
LATE_AND_CORRECTED = (
    [
        order(1, "A", "2024-01-02", "2024-01-02"),
        order(2, B_QUOTED, "2024-02-01", "2024-02-01"),
        order(3, "A", "2024-02-20", "2024-09-07"),
        order(4, "C", "2024-05-01", "2024-05-01"),
    ],
    [
        ("load", date(2024, 1, 2)),
        ("load", date(2024, 2, 1)),
        ("load", date(2024, 5, 1)),
        ("load", date(2024, 9, 7)),
        ("correct", date(2024, 2, 1)),
    ],
)


def complaint(n: int, account: str, occurred: str, arrival: str) -> dict:
    row = {"event_id": f"x{n}", "account_id": account, "occurred_at": f"{occurred}T10:00:00Z"}
    fields = {"event_type": "ticket_opened", "ticket_id": f"t{n}", "category": "complaint"}
    return {"stream": "service", "arrival": date.fromisoformat(arrival), "row": row | fields}


def invoice(n: int, of_order: int, account: str, occurred: str, arrival: str, **terms: int) -> dict:
    row = {"event_id": f"x{n}", "account_id": account, "occurred_at": f"{occurred}T10:00:00Z", **terms}
    fields = {"event_type": "invoice_issued", "order_id": f"o{of_order}", "invoice_id": f"i{n}"}
    money = {"amount": "10.00", "currency": "EUR"}
    return {"stream": "sales", "arrival": date.fromisoformat(arrival), "row": row | fields | money}


# A buys through 2024 and is then untouched while the as-of date moves on, to a new month and past a year:
# the TTM revenue of A's rewritten months sums invoices up to eleven months back, and its figure a year
# before is the TTM of twelve months back (int_account_months_attributed reads them from its stored rows).
A_THEN_QUIET = (
    [
        invoice(11, 1, "A", "2024-01-12", "2024-08-10"),
        invoice(13, 3, "A", "2024-06-12", "2024-08-10"),
        order(1, "A", "2024-01-10", "2024-08-10"),
        order(2, "A", "2024-03-10", "2024-08-10"),
        order(3, "A", "2024-06-10", "2024-08-10"),
        order(4, "A", "2024-08-10", "2024-08-10"),
        order(5, "B", "2024-09-05", "2024-09-05"),
        order(6, "C", "2025-02-05", "2025-02-05"),
    ],
    [("load", date(2024, 8, 10)), ("load", date(2024, 9, 5)), ("load", date(2025, 2, 5))],
)


# The as-of date moves within a month: A (untouched) becomes lost on 2024-05-10, between the first two
# as-of dates, so its May rows are recomputed; B (untouched, still buying) only has its open month's
# snapshot date moved, and May completes on the 31st. Then the 31st is corrected away, and the as-of
# date goes back within May (int_accounts_restaged, macros/incremental/touched_accounts.sql).
# Meanwhile D's complaint stays open and its invoice unpaid, with no event of D's: the complaint passes
# complaint_sla_days and the invoice payment_late_days as the as-of date moves, and back
# (int_current_signals_measured re-measures D, macros/churn/current_signals.sql).
OPEN_MONTH_MOVES = (
    [
        order(1, "A", "2024-03-10", "2024-05-02"),
        order(2, "B", "2024-04-20", "2024-05-02"),
        order(3, "C", "2024-05-02", "2024-05-02"),
        order(4, "C", "2024-05-31", "2024-05-31"),
        order(20, "D", "2024-03-31", "2024-05-02"),
        invoice(21, 20, "D", "2024-03-31", "2024-05-02", payment_terms_days=30),
        complaint(22, "D", "2024-04-28", "2024-05-02"),
    ],
    [("load", date(2024, 5, 2)), ("load", date(2024, 5, 31)), ("correct", date(2024, 5, 31))],
)


# One random history per run (plus the explicit ones): each step costs two builds. No shrinking: a
# failure prints its whole history and steps instead.
@settings(
    max_examples=1,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=histories())
@example(history=TIME_PASSES)
@example(history=LATE_AND_CORRECTED)
@example(history=A_THEN_QUIET)
@example(history=OPEN_MONTH_MOVES)
def test_every_incremental_build_equals_a_full_build_on_a_fresh_database(tmp_path_factory, history):
    events, steps = history
    root = tmp_path_factory.mktemp("incremental")
    landing, warehouse, fresh = root / "landing", root / "warehouse", root / "fresh"
    warehouse.mkdir()
    dropped: set[str] = set()
    loaded: set[date] = set()
    for number, (what, day) in enumerate(steps, start=1):
        if what == "correct":  # the day is re-delivered without its first event
            dropped |= {e["row"]["event_id"] for e in events_of(events, day, dropped)[:1]}
        land(landing, events, day, dropped)
        load(warehouse / "lifecycle.duckdb", landing, [day])
        loaded.add(day)
        run_models(warehouse, RULES)

        # a fresh database (run_models builds it on the project as parsed once in this process)
        for stale in ("lifecycle.duckdb", "lifecycle.duckdb.wal"):
            (fresh / stale).unlink(missing_ok=True)
        fresh.mkdir(exist_ok=True)
        if number == 1:  # the first build is the full build of the one day landed: nothing to compare yet
            for built in warehouse.glob("lifecycle.duckdb*"):
                shutil.copyfile(built, fresh / built.name)
            continue
        load(fresh / "lifecycle.duckdb", landing, sorted(loaded))
        run_models(fresh, RULES)
        assert differences(warehouse / "lifecycle.duckdb", fresh / "lifecycle.duckdb") == {}, (
            f"step {number} ({what} {day}) of {steps}"
        )

    # `lifecycle run --rebuild`: every model from scratch over the tables the incremental builds left
    run_models(warehouse, RULES, full_refresh=True)
    assert differences(warehouse / "lifecycle.duckdb", fresh / "lifecycle.duckdb") == {}, (
        f"rebuild of {steps}"
    )


def test_a_build_stopped_after_the_monthly_marts_is_caught_up_by_the_next(tmp_path):
    """A corrected day takes the as-of date back a year, and that build stops after the monthly marts, before
    it records its completion. The next build's as-of date is later than both: it still recomputes every
    month since the earlier one, because the marts say which as-of date they hold (a plan that read it from
    the last completed build would leave account A without the months between)."""
    events, _ = TIME_PASSES
    events = [*events, order(5, "C", "2025-05-01", "2025-05-01")]
    landing, warehouse, fresh = tmp_path / "landing", tmp_path / "warehouse", tmp_path / "fresh"
    warehouse.mkdir()
    database = warehouse / "lifecycle.duckdb"
    days = [date(2024, 3, 20), date(2025, 4, 15)]
    for day in days:
        land(landing, events, day, set())
        load(database, landing, [day])
        run_models(warehouse, RULES)
    dropped = {"x4"}  # the corrected day no longer holds B's order: the as-of date goes back to 2024-03-20
    land(landing, events, days[1], dropped)
    load(database, landing, [days[1]])
    run_models(warehouse, RULES)
    with duckdb.connect(str(database)) as con:  # as if the build had stopped before its completion
        con.execute(
            "delete from intermediate.int_builds_completed "
            "where completed_at = (select max(completed_at) from intermediate.int_builds_completed)"
        )
    days.append(date(2025, 5, 1))
    land(landing, events, days[2], dropped)
    load(database, landing, [days[2]])
    run_models(warehouse, RULES)

    fresh.mkdir()
    for day in days:
        land(landing, events, day, dropped)
    load(fresh / "lifecycle.duckdb", landing, days)
    run_models(fresh, RULES)
    assert differences(database, fresh / "lifecycle.duckdb") == {}


def test_a_days_data_tests_group_the_rows_its_build_wrote_and_catch_a_duplicate_there(tmp_path):
    """The grain test of a monthly mart groups the rows a day's build may have written (its touched
    accounts, and every account's months from the last build's as-of month on), not the whole history.
    Checked in the state a `dbt build` runs its data tests in (the build's completion not yet recorded),
    with a duplicate of a row the build wrote (caught) and of a row only the day before wrote (left to
    that day's tests)."""
    events = [
        order(1, "A", "2023-12-05", "2024-01-20"),
        order(2, "B", "2023-12-06", "2024-01-20"),
        order(3, "B", "2024-01-20", "2024-01-20"),
        order(4, "A", "2024-03-04", "2024-03-04"),
    ]
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    warehouse.mkdir()
    database = warehouse / "lifecycle.duckdb"
    for day in (date(2024, 1, 20), date(2024, 3, 4)):  # the second day touches A only
        land(landing, events, day, set())
        load(database, landing, [day])
        run_models(warehouse, RULES)
    with duckdb.connect(str(database)) as con:
        con.execute(
            "delete from intermediate.int_builds_completed "
            "where completed_at = (select max(completed_at) from intermediate.int_builds_completed)"
        )

    def duplicate(account: str, month: str) -> None:
        with duckdb.connect(str(database)) as con:
            table = "marts.stage_snapshot_monthly"
            inserted = con.execute(
                f"insert into {table} select * from {table} where account_id = $a and month = $m",
                {"a": account, "m": date.fromisoformat(month)},
            ).fetchall()
            assert inserted == [(1,)]

    def remove_duplicates() -> None:
        with duckdb.connect(str(database)) as con:
            con.execute(
                "create or replace table marts.stage_snapshot_monthly as "
                "select distinct * from marts.stage_snapshot_monthly"
            )

    run_data_tests(warehouse, "stage_snapshot_monthly")
    # B untouched, in January: the month of the day before's as-of date, rewritten for every account
    for account, month in (("A", "2023-12-01"), ("B", "2024-01-01"), ("B", "2024-03-01")):
        duplicate(account, month)
        with pytest.raises(DbtFailed, match="unique_combination_stage_snapshot_monthly"):
            run_data_tests(warehouse, "stage_snapshot_monthly")
        remove_duplicates()
    duplicate("B", "2023-12-01")  # a complete month of an untouched account: tested by the day before
    run_data_tests(warehouse, "stage_snapshot_monthly")


def test_a_new_version_whose_incremental_model_changed_columns_rebuilds_it_without_a_full_refresh(tmp_path):
    """An upgrade: the live incremental table still has a column the new model no longer produces (and
    lacks none). The changed model SQL rebuilds every account, and the table takes the new columns. The
    rebuild keeps an account the CRM created before any other event."""
    events, steps = LATE_AND_CORRECTED
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    warehouse.mkdir()
    database = warehouse / "lifecycle.duckdb"
    land(landing, events, steps[0][1], set())
    crm_only = {"event_id": "u1", "event_type": "account_updated", "occurred_at": "2024-01-02T08:00:00Z"}
    crm_only |= {"account_id": "D", "segment": "smb"}
    write_jsonl(landing, "contact", steps[0][1], "crm.jsonl", [crm_only])
    load(database, landing, [steps[0][1]])
    run_models(warehouse, RULES)
    with duckdb.connect(str(database)) as con:  # as an earlier version left it
        con.execute("alter table intermediate.int_driver_signals_measured add column last_contact_on date")
        con.execute("update intermediate.int_builds_completed set fingerprint = 'an earlier version'")
    land(landing, events, steps[1][1], set())
    load(database, landing, [steps[1][1]])
    run_models(warehouse, RULES)
    with duckdb.connect(str(database), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe intermediate.int_driver_signals_measured").fetchall()]
        reason = con.execute(
            "select reason from intermediate.int_builds_completed order by completed_at desc limit 1"
        ).fetchone()
        crm_rows = con.execute(
            "select segment from marts.account_attributes_history where account_id = 'D'"
        ).fetchall()
    assert "last_contact_on" not in columns
    assert reason == ("settings, model SQL or macros changed",)
    assert crm_rows == [("smb",)]


def write_rates(landing: Path, rates: dict[str, str]) -> None:
    folder = landing / "fx_rates"
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{day},EUR,USD,{rate}\n" for day, rate in rates.items())
    (folder / "rates.csv").write_text("rate_date,base_currency,currency,rate\n" + lines)


def fx_changes(database: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select stream, account_id from raw.account_changes where stream = 'fx_rates' "
            "order by load_id, account_id"
        ).fetchall()


def test_a_corrected_fx_rate_reconverts_the_revenue_lines_of_its_day_in_an_incremental_build(tmp_path):
    """Revenue lines are built incrementally by account: an FX load names the accounts with lines near the
    rate days it changed, so the next build reconverts them (and equals a full build); the same rates
    loaded again change no account."""
    invoices = [
        {"stream": "sales", "arrival": date.fromisoformat(day), "row": row}
        for day, row in (
            ("2024-01-02", {"event_id": "i1", "account_id": "A"}),
            ("2024-03-01", {"event_id": "i2", "account_id": "B"}),
        )
    ]
    for invoice in invoices:
        invoice["row"] |= {
            "event_type": "invoice_issued",
            "occurred_at": f"{invoice['arrival']}T10:00:00Z",
            "order_id": "o1",
            "invoice_id": invoice["row"]["event_id"],
            "amount": "110.00",
            "currency": "USD",
        }
    landing, warehouse, fresh = tmp_path / "landing", tmp_path / "warehouse", tmp_path / "fresh"
    warehouse.mkdir()
    fresh.mkdir()
    days = [date(2024, 1, 2), date(2024, 3, 1)]
    for day in days:
        land(landing, invoices, day, set())
    write_rates(landing, {"2024-01-02": "1.10", "2024-03-01": "1.20"})
    database = warehouse / "lifecycle.duckdb"
    load(database, landing, days)
    with duckdb.connect(str(database)) as con:
        load_fx_rates(con, landing)
    run_models(warehouse, RULES)
    first_load = fx_changes(database)

    write_rates(landing, {"2024-01-02": "1.25", "2024-03-01": "1.20"})  # the provider corrects one day
    with duckdb.connect(str(database)) as con:
        load_fx_rates(con, landing)
        load_fx_rates(con, landing)  # and the same file again
    assert fx_changes(database)[len(first_load) :] == [("fx_rates", "A")]
    run_models(warehouse, RULES)

    load(fresh / "lifecycle.duckdb", landing, days)
    with duckdb.connect(str(fresh / "lifecycle.duckdb")) as con:
        load_fx_rates(con, landing)
    run_models(fresh, RULES)
    assert differences(database, fresh / "lifecycle.duckdb") == {}
    with duckdb.connect(str(database), read_only=True) as con:
        converted = con.execute(
            "select event_id, amount_reporting from intermediate.int_revenue_lines_converted order by 1"
        ).fetchall()
    assert converted == [("i1", Decimal("88.0000")), ("i2", Decimal("91.6667"))]


def test_the_fingerprint_covers_every_macro_of_the_project(tmp_path):
    """The churn-driver signals, the FX conversion and the date helpers are macros: one left out of the
    fingerprint would let an incremental build keep rows computed by its old text."""
    macros = "".join(p.read_text(encoding="utf-8") for p in (DBT_PROJECT_DIR / "macros").rglob("*.sql"))
    defined = set(re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", macros))
    parts = json.loads(compile_inline(tmp_path, "{{ tojson(incremental_fingerprint_parts()) }}"))
    covered = {p.split(":")[0].removeprefix("macro ") for p in parts if p.startswith("macro ")}
    assert "driver_signal_ctes" in defined
    assert defined <= covered, f"macros left out of the fingerprint: {sorted(defined - covered)}"
