"""Golden scenarios end to end: events -> landing files -> `lifecycle run` -> marts.

All scenarios go into one warehouse as separate accounts and one run builds them (a run costs dbt's
start-up); each scenario is then read up to its own `until` date. Transitions before `until` depend only
on events before it, so the later as-of date changes nothing about them.
"""

from datetime import date
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.cli import main
from pipelines.config.paths import WAREHOUSE_ENV, warehouse_paths
from tests.support.copies import use_copy_of
from tests.support.landing import scenario_events, write_jsonl

SCENARIOS = yaml.safe_load((Path(__file__).parents[1] / "scenarios" / "lifecycle_scenarios.yaml").read_text())
AS_OF = max(s["until"] for s in SCENARIOS)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("scenarios")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(WAREHOUSE_ENV, str(root / "warehouse"))
        mp.delenv("DAGSTER_HOME", raising=False)
        paths = warehouse_paths().ensure()
        for scenario in SCENARIOS:
            for stream, rows in scenario_events(scenario["name"], scenario["events"]).items():
                # one history export per scenario, delivered on two arrival days (stage rules use event
                # time; few arrival days keep Dagster's per-partition bookkeeping small)
                for k, arrival in enumerate(("2026-07-01", "2026-07-02")):
                    part = rows[k::2]
                    if part:
                        write_jsonl(paths.landing, stream, arrival, f"{scenario['name']}.jsonl", part)
        assert main(["run", "--quiet", "--no-record", "--var", f"as_of_date={AS_OF}"]) == 0
        yield paths


def query(paths, sql, params=None):
    with duckdb.connect(str(paths.database), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_transitions_match_the_golden_scenario(built, scenario):
    rows = query(
        built,
        """
        select from_stage, to_stage, changed_on, won_back, cause, cause_event_id
        from marts.lifecycle_transitions
        where account_id = $a and changed_on <= $until order by changed_on""",
        {"a": scenario["name"], "until": scenario["until"]},
    )
    got = [(r[0], r[1], r[2], r[3]) for r in rows]
    expected = [
        (t["from"], t["to"], date.fromisoformat(t["on"]), t["won_back"])
        for t in scenario["expected_transitions"]
    ]
    assert got == expected
    for from_stage, to_stage, _, _, cause, cause_event_id in rows:
        if to_stage == "lost":
            assert (cause, cause_event_id) == ("inactivity", None)
        elif from_stage == "loyal" and to_stage == "repeat":
            assert (cause, cause_event_id) == ("window_lapse", None)
        elif to_stage == "prospect":
            assert cause == "first_contact"
            assert cause_event_id.startswith(scenario["name"])
        else:
            assert cause == "purchase"
            assert cause_event_id.startswith(scenario["name"])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_history_and_stage_as_of_until(built, scenario):
    history = query(
        built,
        "select stage, valid_from, valid_to from marts.lifecycle_history "
        "where account_id = $a order by valid_from",
        {"a": scenario["name"]},
    )
    for (_, _, valid_to), (_, next_from, _) in pairwise(history):
        assert valid_to == next_from
    assert history[-1][2] is None
    stage = query(
        built,
        "select stage from marts.stage_on($d) where account_id = $a",
        {"d": scenario["until"], "a": scenario["name"]},
    )
    assert stage == [(scenario["expected_transitions"][-1]["to"],)]


def test_accounts_mart_counts_purchases_not_cancelled_orders(built):
    rows = {
        r[0]: r[1:]
        for r in query(
            built, "select account_id, n_orders, n_purchase_days, first_purchase_date from marts.accounts"
        )
    }
    assert rows["cancelled_order_is_not_a_purchase"] == (1, 1, date(2024, 1, 1))
    assert rows["two_orders_same_day_are_one_purchase_day"] == (2, 1, date(2024, 3, 1))
    assert rows["contact_only_stays_prospect"] == (0, 0, None)


def test_rules_are_settable_per_run(built, tmp_path, monkeypatch):
    # on a copy: the module's warehouse keeps the default rules for whichever test reads it next
    copy = use_copy_of(built, tmp_path / "warehouse", monkeypatch)
    assert (
        main(["run", "--quiet", "--no-record", "--var", f"as_of_date={AS_OF}", "--var", "lost_after_days=30"])
        == 0
    )
    changes = query(
        copy,
        "select from_stage, to_stage, changed_on, won_back from marts.lifecycle_transitions "
        "where account_id = 'second_purchase_day_makes_repeat' order by changed_on",
    )
    # purchases on 2024-01-05 and 2024-03-05: lost 31 days after each, won back in between
    assert changes == [
        (None, "first_buyer", date(2024, 1, 5), False),
        ("first_buyer", "lost", date(2024, 2, 5), False),
        ("lost", "repeat", date(2024, 3, 5), True),
        ("repeat", "lost", date(2024, 4, 5), False),
    ]
