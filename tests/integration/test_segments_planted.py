"""Segments, reps and win-back recover what the simulator planted (parameters.json and its accounts.parquet):
enterprise accounts are lost at a lower hazard than smb, farmer reps' accounts get post-sale contact and
stay, hunters' do not, and a contact after a loss doubles the chance of coming back. The business is the
shared `simulated_business`: 6,000 accounts over five years."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq

from pipelines.simulator import SIDECAR_DIR


def test_the_simulator_records_what_it_planted(simulated_business):
    parameters = json.loads((simulated_business.landing / SIDECAR_DIR / "parameters.json").read_text())[
        "parameters"
    ]
    multipliers = parameters["segment_loss_multiplier"]
    assert multipliers["enterprise"] < multipliers["mid_market"] < multipliers["smb"]
    assert parameters["win_back_contact_multiplier"] == 2.0
    truth = pq.read_table(simulated_business.landing / SIDECAR_DIR / "accounts.parquet").to_pylist()
    styles = {(a["owner_rep_id"], a["rep_style"]) for a in truth}
    assert {style for _, style in styles} == {"farmer", "hunter"}
    assert len({rep for rep, _ in styles}) == len(styles), "a rep of two styles"
    # farmers own the accounts with post-sale contact, hunters the others
    assert all(a["post_sale_contact"] == (a["rep_style"] == "farmer") for a in truth)


def test_enterprise_retains_better_than_smb(simulated_business):
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        rows = con.execute(
            "select attribute_value, sum(retained_accounts) / sum(cohort_size), sum(cohort_size) "
            "from marts.cohort_retention_by_attribute where attribute = 'segment' "
            "and period_grain = 'quarter' and period_number = 8 and is_complete group by 1"
        ).fetchall()
    retained = {value: rate for value, rate, _ in rows}
    assert min(size for value, _, size in rows if value != "unknown") > 100
    assert retained["enterprise"] > retained["mid_market"] > retained["smb"], retained
    assert retained["enterprise"] - retained["smb"] > 0.1, retained


def test_farmers_contact_after_the_sale_and_keep_their_accounts(simulated_business):
    truth = pq.read_table(simulated_business.landing / SIDECAR_DIR / "accounts.parquet").to_pylist()
    style = {a["owner_rep_id"]: a["rep_style"] for a in truth}
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        rows = con.execute(
            "select rep_id, sum(accounts_owned_at_start), sum(accounts_lost), "
            "sum(post_sale_contact_rate * owned_accounts_purchasing), sum(owned_accounts_purchasing), "
            "sum(new_accounts_won) from marts.rep_scorecard where is_complete group by 1"
        ).fetchall()
    totals: dict[str, list[float]] = {"farmer": [0, 0, 0, 0, 0], "hunter": [0, 0, 0, 0, 0]}
    for rep, *figures in rows:
        totals[style[rep]] = [t + float(f or 0) for t, f in zip(totals[style[rep]], figures, strict=True)]
    rates = {
        s: {"retention": 1 - lost / owned, "post_sale": contacted / purchasing, "won": won}
        for s, (owned, lost, contacted, purchasing, won) in totals.items()
    }
    assert rates["farmer"]["post_sale"] > 0.7 > 0.1 > rates["hunter"]["post_sale"], rates
    assert rates["farmer"]["retention"] > rates["hunter"]["retention"], rates
    # both styles win accounts
    assert rates["hunter"]["won"] > 100, rates
    assert rates["farmer"]["won"] > 100, rates


def test_contacted_lost_accounts_come_back_about_twice_as_often(simulated_business):
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        [(lost, contacted, ratio, low, high)] = con.execute(
            "select lost_accounts, contacted_after_loss, rate_ratio, rate_ratio_ci_low, rate_ratio_ci_high "
            "from marts.win_back_funnel where scope = 'complete_quarters'"
        ).fetchall()
    assert lost > 500
    assert 0.3 * lost < contacted < 0.7 * lost
    assert 1.6 < ratio < 2.5, (ratio, low, high)
    assert low > 1, (ratio, low, high)
    assert low < 2 < high, (ratio, low, high)
