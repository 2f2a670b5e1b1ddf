"""The churn drivers recover what the simulator planted, read from its ground truth (parameters.json):
every loss multiplier above 1 shows as a band whose relative-risk interval lies above 1, every multiplier
of 1 as a band whose relative risk is within 10% of 1 (a descriptive ratio of a band with no effect is
still confounded by purchase rhythm, docs/bi.md, so its interval may just miss 1; churn_driver_effects,
adjusted, must cover 1: the test below). The business (fixture `simulated_business`) is large enough for
stable intervals: 16 quarter starts with a full outcome year."""

from __future__ import annotations

import json
import math

import duckdb
import pytest

from pipelines.simulator import SIDECAR_DIR

# How each latent driver of the simulator shows in churn_drivers: (driver, band).
PLANTED_AS = {
    "complaints_slow": ("complaint_handling", "slow"),
    "complaints_unresolved": ("complaint_handling", "unresolved"),
    "single_contact_person": ("contact_persons", "1"),
    "no_post_sale_contact": ("post_sale_contact", "no"),
    "discount_none": ("discount", "none"),
    "discount_low": ("discount", "low"),
    "discount_high": ("discount", "high"),
}


def test_planted_effects_are_recovered(simulated_business):
    truth = json.loads((simulated_business.landing / SIDECAR_DIR / "parameters.json").read_text())
    multipliers = truth["parameters"]["loss_multiplier"]
    assert set(multipliers) == set(PLANTED_AS), "a planted driver without its band here"
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        rows = con.execute(
            "select driver, band, relative_risk, rr_ci_low, rr_ci_high, observations, quarters "
            "from marts.churn_drivers"
        ).fetchall()
    found = {(r[0], r[1]): r[2:] for r in rows}
    for name, multiplier in multipliers.items():
        rr, low, high, observations, quarters = found[PLANTED_AS[name]]
        assert quarters == 16
        assert observations > 300, name
        if multiplier > 1:
            assert low > 1, f"{name} (x{multiplier}): RR {rr:.2f} [{low:.2f}, {high:.2f}] should lie above 1"
        elif multiplier < 1:
            assert high < 1, f"{name} (x{multiplier}): RR {rr:.2f} [{low:.2f}, {high:.2f}] should lie below 1"
        else:
            assert abs(math.log(rr)) < math.log(1.1), (
                f"{name} (no effect): RR {rr:.2f} [{low:.2f}, {high:.2f}]"
            )


def test_adjusted_effects_are_nearer_what_was_planted_than_the_descriptive_ratios(simulated_business):
    """Adjusted for each other, rhythm and tenure (churn_driver_effects): no discount band shows an effect,
    every planted driver does, unresolved complaints weigh more than slow ones, and each ratio is nearer
    the planted multiplier (log scale) than the descriptive relative risk of churn_drivers."""
    truth = json.loads((simulated_business.landing / SIDECAR_DIR / "parameters.json").read_text())
    multipliers = truth["parameters"]["loss_multiplier"]
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        adjusted = {
            (r[0], r[1]): r[2:]
            for r in con.execute(
                "select driver, band, adjusted_ratio, ci_low, ci_high, note from marts.churn_driver_effects"
            ).fetchall()
        }
        marginal = {
            (r[0], r[1]): r[2]
            for r in con.execute("select driver, band, relative_risk from marts.churn_drivers").fetchall()
        }
    table = []
    for name, planted in multipliers.items():
        key = PLANTED_AS[name]
        if key == ("discount", "none"):
            continue  # the reference band
        ratio, low, high, note = adjusted[key]
        assert note is None, f"{name}: {note}"
        table.append(
            f"{name:24} planted {planted:.2f}  marginal {marginal[key]:.2f}  adjusted {ratio:.2f} "
            f"[{low:.2f}, {high:.2f}]"
        )
        if planted == 1:
            assert low <= 1 <= high, table[-1]
        else:
            assert low > 1, table[-1]
            assert abs(math.log(ratio / planted)) < abs(math.log(marginal[key] / planted)), table[-1]
    print("\n".join(table))
    unresolved = adjusted[PLANTED_AS["complaints_unresolved"]][0]
    slow = adjusted[PLANTED_AS["complaints_slow"]][0]
    assert unresolved > slow


def test_bands_partition_the_observations_and_quarters_add_up(simulated_business):
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        per_driver = con.execute(
            "select driver, sum(observations), sum(lost), min(baseline_loss_rate), max(baseline_loss_rate) "
            "from marts.churn_drivers group by driver"
        ).fetchall()
        total = con.execute(
            "select count(*), sum(became_lost) from intermediate.int_account_quarters_observed"
        ).fetchone()
        by_quarter = con.execute(
            "select driver, band, sum(observations), sum(lost) from marts.churn_drivers_by_quarter "
            "group by 1, 2"
        ).fetchall()
        pooled = con.execute("select driver, band, observations, lost from marts.churn_drivers").fetchall()
    assert len(per_driver) == 6
    for _driver, observations, lost, low_base, high_base in per_driver:
        assert (observations, lost) == total
        assert low_base == high_base == pytest.approx(total[1] / total[0])
    assert {(d, b): (o, lost) for d, b, o, lost in by_quarter} == {
        (d, b): (o, lost) for d, b, o, lost in pooled
    }


def test_the_demo_summary_says_what_the_marts_say(simulated_business):
    from pipelines.serving.summary import summary_lines

    text = "\n".join(summary_lines(simulated_business))
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        stages = con.execute("select current_stage, count(*) from marts.accounts group by 1").fetchall()
        last = con.execute(
            "select month, closing_active from marts.customer_base_rollforward where is_complete "
            "order by month desc limit 1"
        ).fetchone()
        top = con.execute(
            "select driver, band, relative_risk from marts.churn_drivers where rr_ci_low > 1 "
            "order by relative_risk desc limit 5"
        ).fetchall()
        effects = con.execute(
            "select driver, band, adjusted_ratio from marts.churn_driver_effects where ci_low > 1 "
            "order by adjusted_ratio desc limit 5"
        ).fetchall()
        nrr = con.execute(
            "select nrr from marts.revenue_retention where is_complete and nrr is not null "
            "order by month desc limit 1"
        ).fetchone()[0]
        expected, at_risk = con.execute(
            "select sum(expected_revenue), sum(revenue_at_risk) from marts.account_forecasts"
        ).fetchone()
        predicted, actual = con.execute(
            "select sum(predicted_repeat_purchase_days), sum(actual_repeat_purchase_days) "
            "from marts.forecast_backtest"
        ).fetchone()
    for stage, count in stages:
        assert f"{stage:<12}{count:>8,}" in text
    assert f"{last[0]:%Y-%m}" in text
    assert text.split(f"{last[0]:%Y-%m}")[1].split("\n")[0].split()[-1] == f"{last[1]:,}"
    assert f"NRR {nrr:.1%}" in text
    listed = [line.split() for line in text.split("interval above 1):\n")[1].split("\n")[: len(top)]]
    assert [(w[0], w[2], w[3]) for w in listed] == [(d, b, f"{rr:.2f}") for d, b, rr in top]
    listed = [line.split() for line in text.split("rhythm and tenure (interval above 1):\n")[1].split("\n")]
    assert effects
    assert [(w[0], w[2], w[3]) for w in listed[: len(effects)]] == [(d, b, f"{r:.2f}") for d, b, r in effects]
    assert "quarantined rows: 0" in text
    # the forecasts: next year's expected revenue, the revenue at risk, and how the backtest fared
    assert f"expected revenue over the forecast horizon  {expected:>16,.0f}" in text
    assert f"revenue at risk (likely lost customers)     {at_risk:>16,.0f}" in text
    assert expected > at_risk > 0
    assert (
        f"purchase days {predicted:,.0f} predicted, {actual:,} actual ({predicted / actual - 1:+.1%})" in text
    )
