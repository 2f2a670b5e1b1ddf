"""How a backfill is cut into transactions: whole consecutive days, bounded in days and file bytes, the
bytes scaled to the memory DuckDB may use."""

from datetime import date, timedelta

import duckdb
import pytest

from pipelines.raw.loader import (
    MAX_TRANSACTION_BYTES,
    MIN_TRANSACTION_BYTES,
    transaction_batches,
    transaction_bytes,
)

DAYS = [date(2024, 1, 1) + timedelta(days=i) for i in range(6)]


def test_days_fill_a_transaction_up_to_the_byte_budget():
    sized = list(zip(DAYS, [40, 40, 30, 90, 10, 10], strict=True))
    batches = transaction_batches(sized, max_days=366, max_bytes=100)
    assert batches == [DAYS[:2], DAYS[2:3], DAYS[3:5], DAYS[5:]]


def test_a_day_larger_than_the_budget_is_one_transaction_and_days_stay_whole():
    sized = list(zip(DAYS[:3], [10, 500, 10], strict=True))
    assert transaction_batches(sized, max_days=366, max_bytes=100) == [DAYS[:1], DAYS[1:2], DAYS[2:3]]


def test_the_day_limit_cuts_too_and_every_day_is_loaded_once_in_order():
    sized = [(d, 0) for d in DAYS]
    batches = transaction_batches(sized, max_days=4, max_bytes=100)
    assert batches == [DAYS[:4], DAYS[4:]]
    assert [d for b in batches for d in b] == DAYS
    assert transaction_batches([], max_days=4, max_bytes=100) == []


@pytest.mark.parametrize(
    ("memory_limit", "mib"),
    [
        ("16GB", 16 * 10**9 / 32 / 2**20),  # DuckDB reports 14.9 GiB: a 1/32 share
        ("24GiB", 768),
        ("1GB", 64),  # a small machine keeps the smallest budget
        ("100GB", 1024),  # a large one stops at 1 GiB
    ],
)
def test_the_byte_budget_is_a_share_of_duckdbs_memory_limit_as_duckdb_reports_it(memory_limit, mib):
    with duckdb.connect() as con:
        con.execute(f"set memory_limit = '{memory_limit}'")
        [(reported,)] = con.execute("select current_setting('memory_limit')").fetchall()
    assert transaction_bytes(reported) / 2**20 == pytest.approx(mib, rel=0.01)


def test_a_limit_it_cannot_read_gets_the_smallest_budget():
    for reported in ("", "-1", "unlimited"):
        assert transaction_bytes(reported) == MIN_TRANSACTION_BYTES
    assert MIN_TRANSACTION_BYTES < transaction_bytes("20.0 GiB") < MAX_TRANSACTION_BYTES
