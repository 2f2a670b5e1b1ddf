"""Ingestion on simulated data with every fault planted."""

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.contract import STREAMS
from pipelines.raw.loader import day_files, landed_days, load_days
from pipelines.simulator import simulate
from tests.support.landing import write_jsonl, write_parquet
from tests.support.raw_tables import checksums

START, END = date(2024, 1, 1), date(2024, 6, 30)


def load_all(con, landing, days_per_transaction=31):
    return {
        s.name: load_days(con, landing, s, landed_days(landing, s.name), days_per_transaction)
        for s in STREAMS.values()
    }


@pytest.fixture(scope="module", params=["jsonl", "parquet", "csv"])
def faulty(request, tmp_path_factory):
    """Simulated files with every fault planted, loaded once per format."""
    root = tmp_path_factory.mktemp(f"faulty-{request.param}")
    landing = root / "landing"
    simulate(landing, accounts=400, start=START, end=END, seed=21, fmt=request.param, faults=True)
    con = duckdb.connect(str(root / "w.duckdb"))
    summaries = load_all(con, landing)
    faults = pq.read_table(landing / "_simulation" / "faults.parquet").to_pylist()
    yield landing, con, summaries, faults
    con.close()


def test_audit_identity_holds_for_every_file(faulty):
    _, con, summaries, _ = faulty
    bad = con.execute(
        "select count(*) from raw.ingest_batches "
        "where rows_read <> rows_accepted + rows_duplicate + rows_quarantined"
    ).fetchone()[0]
    assert bad == 0
    for name, summary in summaries.items():
        assert summary.rows_read == summary.rows_accepted + summary.rows_duplicate + summary.rows_quarantined
        stored = con.execute(f"select count(*) from raw.{name}_events").fetchone()[0]
        assert stored == summary.rows_accepted


def test_every_malformed_row_is_quarantined_with_file_row_and_payload(faulty):
    _, con, _, faults = faulty
    invalid = [
        f for f in faults if f["fault"] not in ("duplicate_exact", "conflicting_event_id", "corrupt_file")
    ]
    assert invalid
    expected_reason = {
        "missing_required_field": "missing",
        "bad_timestamp": "invalid occurred_at",
        "unknown_event_type": "unknown event_type",
        "negative_amount": "negative",
        "bad_currency": "invalid currency",
        "wrong_type": "not a",
        "malformed_line": "malformed",
    }
    for f in invalid:
        row = con.execute(
            "select reason, payload, event_id from raw.quarantine where stream = $s "
            "and source_file = $f and source_row = $r",
            {"s": f["stream"], "f": f["file"], "r": f["row_number"]},
        ).fetchone()
        assert row is not None, f"{f} not in quarantine"
        assert expected_reason[f["fault"]] in row[0], (f, row[0])
        assert row[1], "original payload kept"
        assert (
            con.execute(
                f"select count(*) from raw.{f['stream']}_events where source_file = $f and source_row = $r",
                {"f": f["file"], "r": f["row_number"]},
            ).fetchone()[0]
            == 0
        )


def test_duplicates_are_counted_and_conflicts_quarantined_with_a_pointer(faulty):
    _, con, summaries, faults = faulty
    dupes = [f for f in faults if f["fault"] == "duplicate_exact"]
    conflicts = [f for f in faults if f["fault"] == "conflicting_event_id"]
    assert sum(s.rows_duplicate for s in summaries.values()) == len(dupes)
    for f in dupes:
        assert (
            con.execute(
                f"select count(*) from raw.{f['stream']}_events where event_id = $e", {"e": f["event_id"]}
            ).fetchone()[0]
            == 1
        )
    for f in conflicts:
        row = con.execute(
            """
            select q.reason, q.conflicts_with_file, q.conflicts_with_row, e.source_file, e.source_row
            from raw.quarantine q join raw."""
            + f["stream"]
            + """_events e using (event_id)
            where q.stream = $s and q.event_id = $e""",
            {"s": f["stream"], "e": f["event_id"]},
        ).fetchone()
        assert row[0].startswith("conflict")
        assert (row[1], row[2]) == (row[3], row[4]), "pointer names the stored version"


def test_unreadable_file_is_recorded_and_its_day_still_loads(faulty):
    _, con, summaries, faults = faulty
    corrupt = next(f for f in faults if f["fault"] == "corrupt_file")
    status, error = con.execute(
        "select status, error from raw.ingest_batches where source_file = $f", {"f": corrupt["file"]}
    ).fetchone()
    assert status == "unreadable"
    assert "unreadable" in error
    assert corrupt["file"] in summaries["sales"].unreadable
    same_day = con.execute(
        "select count(*) from raw.sales_events where arrival_date = $d", {"d": corrupt["arrival_date"]}
    ).fetchone()[0]
    assert same_day > 0


def test_extra_columns_are_kept_and_offsets_normalised_to_utc(faulty):
    _, con, _, _ = faulty
    extra = con.execute(
        "select count(*), count(*) filter (where extra_fields->>'source_system' = 'crm-legacy') "
        "from raw.contact_events"
    ).fetchone()
    assert extra[0] == extra[1] > 0


def test_late_event_is_stored_with_its_later_arrival_date(warehouse):
    landing = warehouse.landing
    on_time = {
        "event_id": "c-1",
        "event_type": "call",
        "occurred_at": "2024-03-01T23:30:00-02:00",
        "account_id": "A",
    }
    late = {"event_id": "c-2", "event_type": "call", "occurred_at": "2024-03-01T10:00:00Z", "account_id": "A"}
    write_jsonl(landing, "contact", "2024-03-02", "a.jsonl", [on_time])
    write_jsonl(landing, "contact", "2024-03-09", "b.jsonl", [late])
    con = duckdb.connect(str(warehouse.database))
    load_all(con, landing)
    rows = con.execute(
        "select event_id, occurred_at::varchar, arrival_date::varchar from raw.contact_events order by 1"
    ).fetchall()
    assert rows == [
        ("c-1", "2024-03-02 01:30:00+00", "2024-03-02"),
        ("c-2", "2024-03-01 10:00:00+00", "2024-03-09"),
    ]


def test_duplicate_across_days_and_conflict_within_a_file(warehouse):
    landing = warehouse.landing
    event = {
        "event_id": "s-1",
        "event_type": "order_placed",
        "occurred_at": "2024-03-01T00:00:00Z",
        "account_id": "A",
        "order_id": "o1",
        "amount": "10.00",
        "currency": "EUR",
    }
    write_parquet(landing, "sales", "2024-03-01", "a.parquet", [event, dict(event, amount="11.00")])
    # the same event re-sent later, with an equivalent timestamp and decimal: still a duplicate
    write_jsonl(
        landing,
        "sales",
        "2024-03-05",
        "b.jsonl",
        [dict(event, occurred_at="2024-03-01T02:00:00+02:00", amount="10")],
    )
    con = duckdb.connect(str(warehouse.database))
    summary = load_all(con, landing)["sales"]
    assert (summary.rows_read, summary.rows_accepted, summary.rows_duplicate, summary.rows_quarantined) == (
        3,
        1,
        1,
        1,
    )
    conflict = con.execute(
        "select source_file, source_row, conflicts_with_file, conflicts_with_row from raw.quarantine"
    ).fetchone()
    assert conflict == ("sales/2024-03-01/a.parquet", 2, "sales/2024-03-01/a.parquet", 1)


def test_rerunning_days_changes_nothing(faulty, tmp_path):
    landing, con, _, _ = faulty
    before = checksums(con)
    load_all(con, landing, days_per_transaction=7)  # other transaction cuts, same result
    assert checksums(con) == before
    days = landed_days(landing, "sales")
    load_days(con, landing, STREAMS["sales"], days[10:20])  # a partial re-run of some days
    assert checksums(con) == before


KILL_SCRIPT = """
import sys, duckdb
from pathlib import Path
from pipelines.contract import STREAMS
from pipelines.raw.loader import day_files, landed_days, load_days
landing, db = Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect(db)
for s in STREAMS.values():
    load_days(con, landing, s, landed_days(landing, s.name), 1,
              on_progress=lambda done, total: print(f"{s.name} {done}", flush=True))
print("done", flush=True)
"""


def test_killed_run_then_rerun_equals_a_clean_run(faulty, tmp_path):
    landing, clean_con, _, _ = faulty
    db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(landing), str(db)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    for lines, _ in enumerate(proc.stdout, start=1):
        if lines == 40:  # a few dozen day-transactions committed, the next one under way
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    con = duckdb.connect(str(db))
    # only whole days survived: every audited day has all its landing files, and its events
    audited = con.execute(
        "select stream, arrival_date, count(*), sum(rows_accepted) from raw.ingest_batches group by all"
    ).fetchall()
    assert audited
    for stream, day, n_files, accepted in audited:
        assert n_files == len(day_files(landing, stream, day))
        stored = con.execute(
            f"select count(*) from raw.{stream}_events where arrival_date = $d", {"d": day}
        ).fetchone()[0]
        assert stored == accepted
    load_all(con, landing)
    assert checksums(con) == checksums(clean_con)
