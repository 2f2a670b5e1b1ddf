"""The golden scenarios against the rule oracle: the oracle must agree with the spec before the SQL
engine is compared with it (tests/integration/test_lifecycle_properties.py)."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.support.stage_oracle import Rules, stage_on, transitions

SCENARIOS = yaml.safe_load((Path(__file__).parents[1] / "scenarios" / "lifecycle_scenarios.yaml").read_text())


def purchase_days(events):
    cancelled = {e["order_id"] for e in events if e["type"] == "order_cancelled"}
    return {
        date.fromisoformat(e["date"])
        for e in events
        if e["type"] == "order_placed" and e["order_id"] not in cancelled
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_oracle_reproduces_golden_scenario(scenario):
    events = scenario["events"]
    first_seen = min(date.fromisoformat(e["date"]) for e in events)
    got = transitions(first_seen, purchase_days(events), date.fromisoformat(scenario["until"]))
    expected = [(t["from"], t["to"], date.fromisoformat(t["on"])) for t in scenario["expected_transitions"]]
    assert got == expected


def test_lost_is_strictly_more_than_lost_after_days():
    first = date(2024, 1, 1)
    assert stage_on(date(2024, 12, 31), first, {first}) == "first_buyer"  # 365 days later: not yet
    assert stage_on(date(2025, 1, 1), first, {first}) == "lost"  # 366 days


def test_loyal_window_is_half_open_and_rules_are_settings():
    days = {date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)}
    assert stage_on(date(2024, 3, 1), date(2024, 1, 1), days, Rules(loyal_min_purchase_days=3)) == "loyal"
    # on 2024-12-31 the window (2024-01-01, 2024-12-31] no longer holds 2024-01-01
    assert stage_on(date(2024, 12, 31), date(2024, 1, 1), days, Rules(loyal_min_purchase_days=3)) == "repeat"
    assert stage_on(date(2024, 3, 1), date(2024, 1, 1), days) == "repeat"
