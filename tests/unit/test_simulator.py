import hashlib
import json
import math
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.contract import STREAMS
from pipelines.raw.loader import day_files, landed_days, load_days
from pipelines.simulator import simulate
from pipelines.simulator.params import FAULT_RATES

START, END = date(2024, 1, 1), date(2024, 12, 31)


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_same_arguments_give_byte_identical_output(tmp_path, fmt):
    for run in ("a", "b"):
        simulate(
            tmp_path / run,
            accounts=150,
            start=START,
            end=END,
            seed=7,
            fmt=fmt,
            faults=True,
            chunk_accounts=60,
        )
    first, second = tree_hashes(tmp_path / "a"), tree_hashes(tmp_path / "b")
    assert len(first) > 100
    assert first == second
    simulate(
        tmp_path / "c", accounts=150, start=START, end=END, seed=8, fmt=fmt, faults=True, chunk_accounts=60
    )
    assert tree_hashes(tmp_path / "c") != first


def test_streams_realistic_mix_and_late_arrivals(tmp_path):
    result = simulate(tmp_path, accounts=400, start=START, end=END, seed=1)
    assert all(result.events_written[s] > 0 for s in STREAMS)
    con = duckdb.connect()
    sales = con.execute(
        "select event_type, currency, count(*) from read_parquet($p) group by all",
        {"p": str(tmp_path / "sales" / "*" / "*.parquet")},
    ).fetchall()
    types = {t for t, _, _ in sales}
    assert types == set(STREAMS["sales"].event_types)
    assert {c for _, c, _ in sales if c} >= {"EUR", "PLN", "USD"}
    # an event whose UTC day precedes its folder's day arrived late
    late = con.execute(
        """
        select count(*) from read_parquet($p, filename = true)
        where cast(occurred_at as timestamptz)::date
            < cast(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})/', 1) as date)
    """,
        {"p": str(tmp_path / "contact" / "*" / "*.parquet")},
    ).fetchone()[0]
    assert late > 0
    contact_people = con.execute(
        "select count(distinct contact_person_id) from read_parquet($p)",
        {"p": str(tmp_path / "contact" / "*" / "*.parquet")},
    ).fetchone()[0]
    assert contact_people > 400


def test_sidecar_records_parameters_truth_and_faults(tmp_path):
    result = simulate(tmp_path, accounts=300, start=START, end=END, seed=3, fmt="jsonl", faults=True)
    meta = json.loads((tmp_path / "_simulation" / "parameters.json").read_text())
    assert meta["arguments"]["seed"] == 3
    assert meta["fault_rates"] == FAULT_RATES
    assert meta["parameters"]["loss_multiplier"]["discount_high"] == 1.0
    truth = pq.read_table(tmp_path / "_simulation" / "accounts.parquet")
    assert truth.num_rows == 300
    assert {"single_contact_person", "post_sale_contact", "complaint_handling", "stops_buying_on"} <= set(
        truth.column_names
    )
    faults = pq.read_table(tmp_path / "_simulation" / "faults.parquet").to_pylist()
    kinds = {f["fault"] for f in faults}
    assert kinds == set(FAULT_RATES) | {"corrupt_file"}
    assert result.faults_planted == {k: sum(f["fault"] == k for f in faults) for k in kinds}
    # every listed fault row is really in the file it names, at the row it names
    for f in faults[:50]:
        if f["event_id"] and f["fault"] != "malformed_line":
            line = (tmp_path / f["file"]).read_text().splitlines()[f["row_number"] - 1]
            assert json.loads(line)["event_id"] == f["event_id"]


def test_planted_loss_drivers_show_in_the_truth(tmp_path):
    simulate(tmp_path, accounts=20_000, start=date(2022, 1, 1), end=date(2024, 12, 31), seed=11)
    con = duckdb.connect()
    truth = pq.read_table(tmp_path / "_simulation" / "accounts.parquet")
    con.register("truth", truth)
    con.execute(
        "create view t as select *, stops_buying_on < first_order_on + 365 as lost_in_year "
        "from truth where converted"
    )

    def rate(where: str, segment: str = "mid_market") -> float:
        """The yearly loss hazard, -ln(1 - share lost within a year): the scale the multipliers act on.
        Within one segment: the segments' own hazards (planted too) would blur every other ratio."""
        share = con.execute(
            f"select avg(lost_in_year::int) from t where segment = $s and {where}", {"s": segment}
        ).fetchone()[0]
        return -math.log(1.0 - share)

    assert rate("true", "enterprise") < 0.7 * rate("true", "smb")

    assert rate("single_contact_person") > 1.5 * rate("not single_contact_person")
    assert rate("not post_sale_contact") > 1.4 * rate("post_sale_contact")
    assert rate("complaint_handling = 'unresolved'") > 2 * rate("complaint_handling = 'good'")
    assert rate("complaint_handling = 'slow'") > 1.4 * rate("complaint_handling = 'good'")
    # discount level has no effect
    assert rate("discount_band = 'high'") == pytest.approx(rate("discount_band = 'none'"), rel=0.15)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_every_simulated_file_validates_against_the_contract(tmp_path, fmt):
    landing = tmp_path / "landing"
    simulate(landing, accounts=200, start=START, end=END, seed=5, fmt=fmt)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for schema in STREAMS.values():
        days = landed_days(landing, schema.name)
        summary = load_days(con, landing, schema, days, days_per_transaction=400)
        assert summary.files == sum(len(day_files(landing, schema.name, d)) for d in days)
        assert summary.rows_quarantined == 0
        assert summary.unreadable_files == 0
        assert summary.rows_duplicate == 0
        assert summary.rows_accepted == summary.rows_read > 0
        stored = con.execute(f"select count(*) from raw.{schema.raw_table}").fetchone()[0]
        assert stored == summary.rows_accepted


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="before"):
        simulate(tmp_path, accounts=5, start=END, end=START)
    with pytest.raises(ValueError, match="unknown format"):
        simulate(tmp_path, accounts=5, start=START, end=END, fmt="xml")
