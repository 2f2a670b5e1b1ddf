"""The raw layer is a function of the landed files.

Each test here failed on the loader that kept the first copy it happened to load.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.contract import ACCOUNT_ATTRIBUTES, STREAMS, StreamSchema
from pipelines.raw.content_hash import content_hash_expr
from pipelines.raw.loader import landed_days, load_days
from tests.support.landing import invoice_row as sale
from tests.support.landing import write_jsonl, write_parquet
from tests.support.raw_tables import checksums

SALES = STREAMS["sales"]
DAY5, DAY6, DAY7 = date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 7)


def load(con: duckdb.DuckDBPyConnection, landing: Path, days: list[date]) -> None:
    load_days(con, landing, SALES, days)


def stored(con: duckdb.DuckDBPyConnection, event_id: str) -> tuple | None:
    return con.execute(
        "select amount, arrival_date, source_file from raw.sales_events where event_id = $e", {"e": event_id}
    ).fetchone()


def test_the_first_copy_in_knowledge_order_wins_whichever_day_loads_first(tmp_path):
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1", "10.00")])
    write_jsonl(tmp_path, "sales", DAY7, "a.jsonl", [sale("E1", "20.00")])
    backwards, together = duckdb.connect(), duckdb.connect()
    load(backwards, tmp_path, [DAY7])
    load(backwards, tmp_path, [DAY5])
    load(together, tmp_path, [DAY5, DAY7])
    assert stored(backwards, "E1")[:2] == (Decimal("10.00"), DAY5)
    assert checksums(backwards) == checksums(together)
    conflict = backwards.execute(
        "select arrival_date, kind, conflicts_with_arrival_date from raw.quarantine"
    ).fetchall()
    assert conflict == [(DAY7, "conflict", DAY5)]
    audit = backwards.execute(
        "select arrival_date, rows_read, rows_accepted, rows_duplicate, rows_quarantined "
        "from raw.ingest_batches order by 1"
    ).fetchall()
    assert audit == [(DAY5, 1, 1, 0, 0), (DAY7, 1, 0, 0, 1)]


def test_reloading_a_day_keeps_an_event_another_day_still_carries(tmp_path):
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1"), sale("E2")])
    write_jsonl(tmp_path, "sales", DAY6, "a.jsonl", [sale("E2")])  # a duplicate
    con = duckdb.connect()
    load(con, tmp_path, [DAY5, DAY6])
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1")])  # re-delivered without E2
    load(con, tmp_path, [DAY5])
    assert stored(con, "E2")[1:] == (DAY6, "sales/2024-03-06/a.jsonl")
    fresh = duckdb.connect()
    load(fresh, tmp_path, [DAY5, DAY6])
    assert checksums(con) == checksums(fresh)


def test_a_day_whose_folder_is_gone_is_emptied(tmp_path):
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1")])
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    shutil.rmtree(tmp_path / "sales" / DAY5.isoformat())
    load(con, tmp_path, [DAY5])
    assert con.execute("select count(*) from raw.sales_events").fetchone() == (0,)
    assert con.execute("select count(*) from raw.ingest_batches").fetchone() == (0,)


def test_file_names_are_names_not_patterns(tmp_path):
    write_parquet(tmp_path, "sales", DAY5, "p1.parquet", [sale("E1")])
    write_parquet(tmp_path, "sales", DAY5, "p[1].parquet", [sale("E2")])
    write_parquet(tmp_path, "sales", DAY5, "p*.parquet", [sale("E3")])
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    rows = con.execute("select event_id, source_file from raw.sales_events order by 1").fetchall()
    assert rows == [
        ("E1", "sales/2024-03-05/p1.parquet"),
        ("E2", "sales/2024-03-05/p[1].parquet"),
        ("E3", "sales/2024-03-05/p*.parquet"),
    ]
    audit = con.execute("select rows_read, rows_accepted, rows_duplicate from raw.ingest_batches").fetchall()
    assert audit == [(1, 1, 0)] * 3


def test_rows_read_is_counted_from_the_file(tmp_path):
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1"), sale("E2")])
    (tmp_path / "sales" / DAY5.isoformat() / "a.jsonl").write_text(
        json.dumps(sale("E1")) + "\n\n" + json.dumps(sale("E2")) + "\n{not json\n"
    )
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    assert con.execute(
        "select rows_read, rows_accepted, rows_quarantined from raw.ingest_batches"
    ).fetchone() == (
        3,
        2,
        1,
    )


def test_money_is_exact_from_json_numbers_and_double_parquet(tmp_path):
    folder = tmp_path / "sales" / DAY5.isoformat()
    folder.mkdir(parents=True)
    line = json.dumps(sale("J1")).replace('"amount": "10.00"', '"amount": 12345678901234.5678')
    (folder / "a.jsonl").write_text(line + "\n")
    rows = [sale("P1"), sale("P2")]
    table = pa.table(
        {
            **{k: pa.array([r[k] for r in rows]) for k in rows[0] if k != "amount"},
            "amount": pa.array([0.1, 123456.78], pa.float64()),
        }
    )
    pq.write_table(table, folder / "b.parquet")
    decimals = pa.table(
        {
            **{k: pa.array([v]) for k, v in sale("D1").items() if k != "amount"},
            "amount": pa.array([Decimal("99999999999.9999")], pa.decimal128(20, 4)),
        }
    )
    pq.write_table(decimals, folder / "c.parquet")
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    amounts = dict(con.execute("select event_id, amount from raw.sales_events").fetchall())
    assert amounts == {
        "J1": Decimal("12345678901234.5678"),
        "P1": Decimal("0.1"),
        "P2": Decimal("123456.78"),
        "D1": Decimal("99999999999.9999"),
    }


def test_natively_typed_parquet_columns_are_taken_as_they_are_and_equal_their_text(tmp_path):
    """A producer writing timestamps with a zone, decimals and integers as Parquet types: the values are
    taken without a text parse, an event re-delivered as text on the next day is a duplicate (same
    content hash), and a typed value the contract refuses is quarantined with the usual reason."""
    events = [
        sale("T1", amount="12.5", payment_terms_days="30"),
        sale("T2", amount="-1.00"),  # refused: negative
        sale("T3", amount="0.00001"),  # refused: more than 4 decimals
        sale("T4", payment_terms_days="-3"),  # refused: not a whole number >= 0
    ]
    typed = pa.table(
        {
            **{k: pa.array([e[k] for e in events]) for k in sale("T0") if k not in ("amount", "occurred_at")},
            "occurred_at": pa.array(
                [datetime(2024, 3, 4, 11, 0, tzinfo=timezone(timedelta(hours=1)))] * len(events),
                pa.timestamp("us", tz="+01:00"),
            ),
            # a scale above the contract's 4 decimals: values that fit are exact, one that does not is refused
            "amount": pa.array([Decimal(e["amount"]) for e in events], pa.decimal128(38, 10)),
            "payment_terms_days": pa.array([int(e.get("payment_terms_days", 0)) for e in events], pa.int64()),
        }
    )
    folder = tmp_path / "sales" / DAY5.isoformat()
    folder.mkdir(parents=True)
    pq.write_table(typed, folder / "typed.parquet")
    write_jsonl(tmp_path, "sales", DAY6, "text.jsonl", [sale("T1", amount="12.50", payment_terms_days="30")])
    con = duckdb.connect()
    load(con, tmp_path, [DAY5, DAY6])

    assert con.execute(
        "select event_id, amount, payment_terms_days, occurred_at, occurred_at_is_date, arrival_date "
        "from raw.sales_events"
    ).fetchall() == [("T1", Decimal("12.5"), 30, datetime(2024, 3, 4, 10, 0, tzinfo=UTC), False, DAY5)]
    reasons = dict(
        con.execute("select event_id, reason from raw.quarantine where kind = 'invalid'").fetchall()
    )
    assert reasons == {
        "T2": "invalid amount: negative: -1.0000000000",
        "T3": "invalid amount: not a decimal number: 0.0000100000",
        "T4": "invalid payment_terms_days: not a whole number >= 0: -3",
    }
    audit = con.execute(
        "select arrival_date, rows_accepted, rows_duplicate, rows_conflict from raw.ingest_batches order by 1"
    ).fetchall()
    assert audit == [(DAY5, 1, 0, 0), (DAY6, 0, 1, 0)]


def test_float32_amounts_are_refused_with_a_reason(tmp_path):
    folder = tmp_path / "sales" / DAY5.isoformat()
    folder.mkdir(parents=True)
    row = sale("F1")
    table = pa.table(
        {
            **{k: pa.array([v]) for k, v in row.items() if k != "amount"},
            "amount": pa.array([0.1], pa.float32()),
        }
    )
    pq.write_table(table, folder / "f.parquet")
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    assert con.execute("select count(*) from raw.sales_events").fetchone() == (0,)
    reason, payload = con.execute("select reason, payload from raw.quarantine").fetchone()
    assert "float32" in reason
    assert "F1" in payload


def test_csv_keeps_na_and_null_as_data_and_ignores_a_bom(tmp_path):
    folder = tmp_path / "sales" / DAY5.isoformat()
    folder.mkdir(parents=True)
    header = "event_id,event_type,occurred_at,account_id,order_id,invoice_id,amount,currency,rep_id"
    body = "\n".join(
        [
            "E1,invoice_issued,2024-03-04,NA,o1,i1,1.00,EUR,N/A",
            "E2,invoice_issued,2024-03-04,NULL,o2,i2,2.00,EUR,nan",
            "E3,invoice_issued,2024-03-04,B,o3,i3,3.00,EUR,",
        ]
    )
    (folder / "a.csv").write_bytes(b"\xef\xbb\xbf" + (header + "\n" + body + "\n").encode())
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    rows = con.execute("select event_id, account_id, rep_id from raw.sales_events order by 1").fetchall()
    assert rows == [("E1", "NA", "N/A"), ("E2", "NULL", "nan"), ("E3", "B", None)]
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)


def test_date_only_events_are_flagged_and_future_events_quarantined(tmp_path):
    write_jsonl(
        tmp_path,
        "sales",
        DAY5,
        "a.jsonl",
        [
            sale("D1", occurred_at="2024-03-04"),
            sale("T1", occurred_at="2024-03-06T23:00:00Z"),  # arrival day + 1: fine (time zones)
            sale("F1", occurred_at="2099-01-01"),
            sale("F2", occurred_at="2024-03-07T00:00:00Z"),  # arrival day + 2
        ],
    )
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    flags = con.execute("select event_id, occurred_at_is_date from raw.sales_events order by 1").fetchall()
    assert flags == [("D1", True), ("T1", False)]
    reasons = con.execute("select event_id, reason from raw.quarantine order by 1").fetchall()
    assert [r[0] for r in reasons] == ["F1", "F2"]
    assert all(r[1].startswith("occurs after it arrived") for r in reasons)


def test_a_non_utf8_parquet_file_is_unreadable_and_its_day_still_loads(tmp_path):
    folder = tmp_path / "sales" / DAY5.isoformat()
    write_parquet(tmp_path, "sales", DAY5, "good.parquet", [sale("E1")])
    bad = pa.table({k: pa.array([v]) for k, v in sale("E2").items()})
    raw_bytes = pa.array([b"\xff\xfe"], pa.binary())  # labelled as text, as a broken producer would
    not_utf8 = pa.Array.from_buffers(pa.string(), len(raw_bytes), raw_bytes.buffers())
    pq.write_table(
        bad.set_column(bad.schema.get_field_index("account_id"), "account_id", not_utf8),
        folder / "bad.parquet",
    )
    write_parquet(
        tmp_path, "sales", DAY5, "nested.parquet", [sale("E3")]
    )  # a nested extra column follows below
    nested = pq.read_table(folder / "nested.parquet").append_column("meta", pa.array([{"tags": ["x", "y"]}]))
    pq.write_table(nested, folder / "nested.parquet")
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    status = dict(con.execute("select source_file, status from raw.ingest_batches").fetchall())
    assert status["sales/2024-03-05/bad.parquet"] == "unreadable"
    assert status["sales/2024-03-05/good.parquet"] == "loaded"
    extra = con.execute("select extra_fields::varchar from raw.sales_events where event_id = 'E3'").fetchone()
    assert json.loads(extra[0]) == {"meta": {"tags": ["x", "y"]}}


def test_the_content_hash_does_not_depend_on_how_the_file_was_grouped(tmp_path):
    """The same row read alone or next to files of other shapes gets the same hash: no false conflicts."""
    write_parquet(tmp_path, "sales", DAY5, "a.parquet", [sale("E1", note="x")])
    write_parquet(tmp_path, "sales", DAY6, "a.parquet", [sale("E1", note="x")])
    folder = tmp_path / "sales" / DAY6.isoformat()
    other = pa.table({k: pa.array([v]) for k, v in sale("E9").items()})  # another shape on the same day
    pq.write_table(other, folder / "b.parquet")
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    load(con, tmp_path, [DAY6])
    assert con.execute(
        "select rows_duplicate from raw.ingest_batches where arrival_date = $d and "
        "source_file like '%a.parquet'",
        {"d": DAY6},
    ).fetchone() == (1,)
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)


def test_content_hashes_of_an_earlier_version_are_recomputed_when_a_load_opens_the_raw_layer(tmp_path):
    """An event delivered again after an upgrade of the hash is a duplicate, not a conflict."""
    rows = [sale("E1", note="x"), sale("E2", occurred_at="2024-03-04", note="y")]  # extras; a calendar date
    write_parquet(tmp_path, "sales", DAY5, "a.parquet", rows)
    write_jsonl(tmp_path, "sales", DAY6, "a.jsonl", rows)
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    # the raw layer as version 1 left it: hashes of a JSON object of the typed values, no layout table
    record = ", ".join(f"{n} := {n}" for n in [*SALES.field_names, "occurred_at_is_date"])
    for table in ("raw.sales_received", "raw.sales_events"):
        con.execute(
            f"update {table} set content_hash = "
            f"md5(to_json(struct_pack({record}, _extra := extra_fields::varchar)))"
        )
    con.execute("drop table raw.layout")
    load(con, tmp_path, [DAY6])
    assert con.execute(
        "select rows_duplicate, rows_quarantined from raw.ingest_batches where arrival_date = $d", {"d": DAY6}
    ).fetchall() == [(2, 0)]
    fresh = duckdb.connect()
    load(fresh, tmp_path, [DAY5, DAY6])
    assert checksums(con) == checksums(fresh)


def test_a_raw_layer_from_before_the_account_attributes_gains_them_and_keeps_its_duplicates(tmp_path):
    """The contact stream gained the account_updated attributes: a warehouse written before them gets the
    columns in place, its hashes recomputed, so a call delivered again is still a duplicate."""
    contact = STREAMS["contact"]
    call = {"event_id": "C1", "event_type": "call", "occurred_at": "2024-03-04T10:00:00Z", "account_id": "A"}
    update = {
        "event_id": "C2",
        "event_type": "account_updated",
        "occurred_at": "2024-03-06T10:00:00Z",
        "account_id": "A",
        "segment": "smb",
        "employees": "12",
    }
    write_jsonl(tmp_path, "contact", DAY5, "a.jsonl", [call])
    write_jsonl(tmp_path, "contact", DAY6, "a.jsonl", [call, update])
    con = duckdb.connect()
    load_days(con, tmp_path, contact, [DAY5])
    # the raw layer as version 3 left it: no attribute columns, hashes of the shorter field list
    before = StreamSchema(
        contact.name,
        contact.event_types[:-1],
        tuple(f for f in contact.fields if f.name not in ACCOUNT_ATTRIBUTES),
    )
    for table in ("raw.contact_received", "raw.contact_events"):
        for name in ACCOUNT_ATTRIBUTES:
            con.execute(f"alter table {table} drop column {name}")
        stored_hash = content_hash_expr(before, column=lambda name: name, extra="extra_fields")
        con.execute(f"update {table} set content_hash = {stored_hash}")
    con.execute("update raw.layout set content_hash_version = 3")
    load_days(con, tmp_path, contact, [DAY6])
    assert con.execute(
        "select rows_accepted, rows_duplicate, rows_quarantined from raw.ingest_batches "
        "where arrival_date = $d",
        {"d": DAY6},
    ).fetchall() == [(1, 1, 0)]
    assert con.execute(
        "select event_id, segment, employees from raw.contact_events order by 1"
    ).fetchall() == [("C1", None, None), ("C2", "smb", 12)]


def test_which_file_and_row_delivered_an_event_is_kept_but_is_not_its_content(tmp_path):
    """A re-sorted export under another name delivers the same events from other rows, and a feed without
    an export the same event with no provenance at all: duplicates. Another amount is a conflict whose
    reason names the field and both values."""
    write_jsonl(tmp_path, "sales", DAY5, "day1.jsonl", [sale("E1", import_file="day1.csv", import_row="1")])
    write_jsonl(
        tmp_path,
        "sales",
        DAY6,
        "day2.jsonl",
        [sale("E1", import_file="day2.csv", import_row="7"), sale("E1")],
    )
    write_jsonl(
        tmp_path, "sales", DAY7, "day3.jsonl", [sale("E1", "10.50", import_file="day3.csv", import_row="7")]
    )
    con = duckdb.connect()
    load(con, tmp_path, [DAY5, DAY6, DAY7])
    audit = con.execute(
        "select arrival_date, rows_accepted, rows_duplicate, rows_conflict from raw.ingest_batches order by 1"
    ).fetchall()
    assert audit == [(DAY5, 1, 0, 0), (DAY6, 0, 2, 0), (DAY7, 0, 0, 1)]
    assert con.execute("select extra_fields->>'import_file' from raw.sales_events").fetchall() == [
        ("day1.csv",)
    ]
    [(reason,)] = con.execute("select reason from raw.quarantine").fetchall()
    assert reason == (
        "conflict: event_id already stored with different content (amount: 10 stored, 10.5 delivered)"
    )


def test_a_conflict_is_gone_once_a_redelivered_earlier_day_agrees_with_it(tmp_path):
    """Reloading the day of the stored copy re-decides the conflicts of other days' copies too."""
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1", "10.00")])
    write_jsonl(tmp_path, "sales", DAY7, "a.jsonl", [sale("E1", "20.00")])
    con = duckdb.connect()
    load(con, tmp_path, [DAY5, DAY7])
    assert con.execute("select arrival_date, kind from raw.quarantine").fetchall() == [(DAY7, "conflict")]
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1", "20.00")])  # the producer corrects day 5
    load(con, tmp_path, [DAY5])
    assert con.execute("select count(*) from raw.quarantine").fetchall() == [(0,)]
    fresh = duckdb.connect()
    load(fresh, tmp_path, [DAY5, DAY7])
    assert checksums(con) == checksums(fresh)


def test_an_export_row_is_one_quarantine_row_whichever_of_its_events_a_later_day_touches(tmp_path):
    """import-csv makes several events of one export row (an order and its invoice): when the row's amount
    changed, it is one conflict listing both events, also after a later day re-delivers one of them."""
    row = {"import_file": "orders.csv", "import_row": "4"}
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1", **row), sale("E2", **row)])
    write_jsonl(tmp_path, "sales", DAY6, "b.jsonl", [sale("E1", "11.00", **row), sale("E2", "11.00", **row)])
    later = {"import_file": "later.csv", "import_row": "9"}
    write_jsonl(tmp_path, "sales", DAY7, "c.jsonl", [sale("E2", **later)])
    one_by_one, backwards, together = duckdb.connect(), duckdb.connect(), duckdb.connect()
    for day in (DAY5, DAY6, DAY7):
        load(one_by_one, tmp_path, [day])
    for day in (DAY7, DAY6, DAY5):
        load(backwards, tmp_path, [day])
    load(together, tmp_path, [DAY5, DAY6, DAY7])
    assert checksums(one_by_one) == checksums(together) == checksums(backwards)
    assert one_by_one.execute("select arrival_date, kind, reason from raw.quarantine").fetchall() == [
        (
            DAY6,
            "conflict",
            "conflict: event_id already stored with different content (amount: 10 stored, 11 delivered); "
            "export row 4 delivered 2 conflicting events: E1, E2",
        )
    ]


# -- the property: any order, any repetitions, any re-deliveries = one ordered load ------------------------

DAYS = [date(2024, 3, 1) + timedelta(days=i) for i in range(4)]
row_strategy = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["E1", "E2", "E3", "E4", "E5"]),
        "amount": st.sampled_from(["10.00", "10", "20.00", "-1"]),  # equal decimals, a conflict, invalid
        "late_by": st.integers(min_value=-2, max_value=40),  # days before arrival; -2: too far ahead
        "fmt": st.sampled_from(["jsonl", "parquet"]),
        # rows of a file with the same export row are one delivered record: one quarantine row each
        "export_row": st.sampled_from([None, "1", "2"]),
    }
)
day_strategy = st.lists(st.lists(row_strategy, max_size=4), min_size=1, max_size=2)  # files of a day


def write_day(landing: Path, day: date, files: list[list[dict]]) -> None:
    folder = landing / "sales" / day.isoformat()
    shutil.rmtree(folder, ignore_errors=True)
    for n, rows in enumerate(files):
        events = [
            sale(
                r["id"],
                r["amount"],
                occurred_at=(day - timedelta(days=r["late_by"])).isoformat(),
                **({"import_file": "export.csv", "import_row": r["export_row"]} if r["export_row"] else {}),
            )
            for r in rows
        ]
        fmt = rows[0]["fmt"] if rows else "jsonl"
        writer = write_jsonl if fmt == "jsonl" else write_parquet
        writer(landing, "sales", day, f"f{n}.{fmt}", events)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.fixed_dictionaries(dict.fromkeys(DAYS, day_strategy)),
    final=st.fixed_dictionaries(dict.fromkeys(DAYS, day_strategy)),
    redelivered=st.lists(st.sampled_from(DAYS), unique=True),
    plan=st.lists(st.lists(st.sampled_from(DAYS), min_size=1, max_size=4), min_size=1, max_size=5),
    per_transaction=st.integers(min_value=1, max_value=4),
)
def test_any_load_order_and_repetition_equals_one_ordered_load(
    tmp_path_factory, first, final, redelivered, plan, per_transaction
):
    landing = tmp_path_factory.mktemp("landing")
    for day in DAYS:
        write_day(landing, day, first[day])
    con = duckdb.connect()
    for days in plan[: len(plan) // 2 + 1]:
        load_days(con, landing, SALES, days, per_transaction)
    for day in redelivered:  # the producer sends some days again, with other content
        write_day(landing, day, final[day])
    for days in plan[len(plan) // 2 :]:
        load_days(con, landing, SALES, days, per_transaction)
    load_days(con, landing, SALES, sorted(set(redelivered) | set(DAYS) - {d for p in plan for d in p}))
    load_days(con, landing, SALES, redelivered, per_transaction)  # every changed day reloaded at least once

    ordered = duckdb.connect()
    load_days(ordered, landing, SALES, landed_days(landing, "sales"), days_per_transaction=len(DAYS))
    assert checksums(con) == checksums(ordered)


def changed_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.execute("select load_id, account_id from raw.account_changes order by all").fetchall()


def test_each_load_stamps_its_rows_and_records_the_accounts_it_changed(tmp_path):
    """The watermark of incremental builds: every received row carries its load's id, and
    raw.account_changes names the accounts whose stored events a load changed, including an account
    whose only event a corrected day removed (its history must be recomputed to nothing); a day
    re-delivered as it was, or a conflicting copy that leaves the stored one, changes no account."""
    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1"), sale("E2", account_id="B")])
    write_jsonl(tmp_path, "sales", DAY6, "a.jsonl", [sale("E3", account_id="C"), sale("E1", amount="99")])
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    load(con, tmp_path, [DAY6])
    assert con.execute("select event_id, load_id from raw.sales_received order by all").fetchall() == [
        ("E1", 1),
        ("E1", 2),
        ("E2", 1),
        ("E3", 2),
    ]
    # day 6 re-delivers E1 (a conflict: the stored copy stays, A is unchanged) and brings C
    assert changed_accounts(con) == [(1, "A"), (1, "B"), (2, "C")]

    load(con, tmp_path, [DAY5, DAY6])  # both days again, as they were
    assert changed_accounts(con) == [(1, "A"), (1, "B"), (2, "C")]

    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [sale("E1")])  # the corrected day 5: B's event is gone
    load(con, tmp_path, [DAY5])
    assert changed_accounts(con)[3:] == [(4, "B")]
    assert stored(con, "E2") is None

    write_jsonl(tmp_path, "sales", DAY5, "a.jsonl", [])  # day 5 emptied: day 6's copy of E1 is stored now
    load(con, tmp_path, [DAY5])
    assert changed_accounts(con)[4:] == [(5, "A")]
    assert stored(con, "E1")[:2] == (Decimal("99"), DAY6)
    # a stored row keeps the id of the load that received it
    assert con.execute("select max(load_id) from raw.sales_events").fetchone() == (3,)

    # day 6 corrected: a new event on top moves every row down; only the new event's account changed
    write_jsonl(
        tmp_path,
        "sales",
        DAY6,
        "a.jsonl",
        [sale("E4", account_id="D"), sale("E3", account_id="C"), sale("E1", amount="99")],
    )
    load(con, tmp_path, [DAY6])
    assert changed_accounts(con)[5:] == [(6, "D")]
    assert stored(con, "E3") is not None


def test_non_finite_json_numbers_quarantine_their_row_and_stay_text_elsewhere(tmp_path):
    # json.dumps(float("nan")) writes the bare token NaN; DuckDB read it as a number and the decimal field
    # failed the stream's whole load transaction naming no file or row
    folder = tmp_path / "sales" / DAY5.isoformat()
    folder.mkdir(parents=True)
    lines = [
        json.dumps(sale("N1")).replace('"10.00"', "NaN"),
        json.dumps(sale("N2")).replace('"10.00"', "-Infinity"),
        json.dumps(sale("N3", note="x")).replace('"x"', "Infinity"),  # an extra field
        json.dumps(sale("N4", rep_id="NaN")),  # a text field: stays text
        json.dumps(sale("OK")),
    ]
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    reasons = con.execute("select event_id, source_file, source_row, reason from raw.quarantine order by 1")
    assert reasons.fetchall() == [
        ("N1", "sales/2024-03-05/a.jsonl", 1, "invalid amount: not a decimal number: NaN"),
        ("N2", "sales/2024-03-05/a.jsonl", 2, "invalid amount: not a decimal number: -Infinity"),
    ]
    rows = con.execute("select event_id, rep_id, extra_fields from raw.sales_events order by 1").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("N3", None), ("N4", "NaN"), ("OK", None)]
    assert json.loads(rows[0][2]) == {"note": "Infinity"}  # valid JSON, the token kept as text


def test_links_directories_and_pipes_in_landing_are_refused_with_an_audit_row_never_read(tmp_path):
    folder = tmp_path / "sales" / DAY5.isoformat()
    write_jsonl(tmp_path, "sales", DAY5, "good.jsonl", [sale("E1")])
    secret = tmp_path / "secret.jsonl"
    secret.write_text(json.dumps(sale("S1")) + "\nroot:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (folder / "passwd.jsonl").symlink_to(secret)
    (folder / "dangling.csv").symlink_to(tmp_path / "gone.csv")
    (folder / "folder.parquet").mkdir()
    os.mkfifo(folder / "pipe.jsonl")
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    audit = con.execute(
        "select source_file, status, rows_read, error from raw.ingest_batches order by source_file"
    ).fetchall()
    assert [(a[0].rsplit("/", 1)[1], a[1], a[2]) for a in audit] == [
        ("dangling.csv", "unreadable", 0),
        ("folder.parquet", "unreadable", 0),
        ("good.jsonl", "loaded", 1),
        ("passwd.jsonl", "unreadable", 0),
        ("pipe.jsonl", "unreadable", 0),
    ]
    reasons = {a[0].rsplit("/", 1)[1]: a[3] for a in audit}
    assert "symbolic link" in reasons["passwd.jsonl"]
    assert "symbolic link" in reasons["dangling.csv"]
    assert "a directory" in reasons["folder.parquet"]
    assert "named pipe" in reasons["pipe.jsonl"]
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)
    assert con.execute("select event_id from raw.sales_events").fetchall() == [("E1",)]


def test_an_empty_file_loads_as_no_records_in_every_format(tmp_path):
    # a zero-byte .jsonl loaded as 0 rows while a zero-byte .csv or .parquet was "unreadable"
    folder = tmp_path / "sales" / DAY5.isoformat()
    folder.mkdir(parents=True)
    for name in ("a.jsonl", "b.csv", "c.parquet"):
        (folder / name).write_bytes(b"")
    con = duckdb.connect()
    load(con, tmp_path, [DAY5])
    audit = con.execute("select status, rows_read, error from raw.ingest_batches order by source_file")
    assert audit.fetchall() == [("loaded", 0, None)] * 3
