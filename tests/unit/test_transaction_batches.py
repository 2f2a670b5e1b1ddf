"""How a backfill is cut into transactions: whole consecutive days, bounded in days and file bytes."""

from datetime import date, timedelta

from pipelines.raw.loader import transaction_batches

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
