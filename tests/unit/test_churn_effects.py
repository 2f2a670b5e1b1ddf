"""The adjusted churn-driver effects (pipelines/churn/effects.py) on hand-made account-quarters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.churn.effects import (
    COVARIATE_BANDS,
    DRIVER_BANDS,
    band_covariate,
    fit_effects,
    merge_levels_without_losses,
)

QUARTERS = pd.to_datetime(["2023-01-01", "2023-04-01", "2023-07-01", "2023-10-01"]).date


def observations(accounts: int = 3000, seed: int = 5) -> pd.DataFrame:
    """Account-quarters where unresolved complaints triple the risk of loss and discounts do nothing, but
    accounts with unresolved complaints are given high discounts far more often (a goodwill gesture): the
    discount travels with the real driver."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(accounts):
        for quarter in QUARTERS:
            unresolved = rng.random() < 0.25
            discount = "high" if rng.random() < (0.7 if unresolved else 0.1) else "none"
            risk = 0.08 * (3.0 if unresolved else 1.0)
            rows.append(
                {
                    "account_id": f"A{a:05d}",
                    "quarter_start": quarter,
                    "became_lost": int(rng.random() < risk),
                    "complaint_handling": "unresolved" if unresolved else "within_sla",
                    "csat": None,
                    "contact_persons": None,
                    "post_sale_contact": None,
                    "discount": discount,
                    "payment": None,
                    "purchase_days_in_window": int(rng.integers(1, 10)),
                    "days_since_last_purchase": int(rng.integers(1, 200)),
                    "tenure_days": int(rng.integers(100, 1500)),
                }
            )
    return pd.DataFrame(rows)


def by_band(effects):
    return {(e.driver, e.band): e for e in effects}


def test_a_driver_without_effect_that_travels_with_a_real_one_is_cleared_by_the_adjustment():
    data = observations()
    adjusted = by_band(fit_effects(data))
    # without the real driver in the model, the discount takes its effect (the marginal view)
    marginal = by_band(fit_effects(data.assign(complaint_handling=None)))
    high = marginal[("discount", "high")]
    assert high.ci_low > 1, f"marginal {high.adjusted_ratio:.2f} [{high.ci_low:.2f}, {high.ci_high:.2f}]"
    high = adjusted[("discount", "high")]
    assert high.ci_low <= 1 <= high.ci_high, f"adjusted {high.adjusted_ratio:.2f} [{high.ci_low:.2f}, ...]"
    assert high.p_value > 0.05
    unresolved = adjusted[("complaint_handling", "unresolved")]
    assert unresolved.ci_low < 3.0 < unresolved.ci_high
    assert unresolved.ci_low > 1
    assert unresolved.p_value < 1e-6


def test_rows_name_the_reference_and_count_the_band():
    data = observations(accounts=800)
    effects = by_band(fit_effects(data))
    # csat, contact persons, post-sale contact and payment are not measured here: no rows for them
    assert {d for d, _ in effects} == {"complaint_handling", "discount"}
    unresolved = effects[("complaint_handling", "unresolved")]
    assert unresolved.reference_band == "within_sla"
    in_band = data["complaint_handling"] == "unresolved"
    assert (unresolved.observations, unresolved.lost) == (in_band.sum(), data["became_lost"][in_band].sum())
    assert effects[("discount", "low")].note == "no observations in this band"
    assert effects[("discount", "low")].adjusted_ratio is None
    assert effects[("complaint_handling", "none")].note == "no observations in this band"


def test_the_fit_is_the_same_whatever_the_order_of_the_rows():
    data = observations(accounts=600)
    shuffled = data.sample(frac=1.0, random_state=3)
    assert fit_effects(data) == fit_effects(shuffled)


def test_a_band_without_losses_is_not_estimable_and_the_others_still_are():
    data = observations(accounts=800)
    lucky = data.index[:40]
    data.loc[lucky, "complaint_handling"] = "slow"
    data.loc[lucky, "became_lost"] = 0
    effects = by_band(fit_effects(data))
    assert effects[("complaint_handling", "slow")].note == "no account in this band became lost"
    assert effects[("complaint_handling", "slow")].adjusted_ratio is None
    assert effects[("complaint_handling", "slow")].observations == 40
    assert effects[("complaint_handling", "unresolved")].adjusted_ratio > 1


def test_a_band_that_always_coincides_with_another_is_reported_not_guessed():
    data = observations(accounts=800)
    # every high discount, and only those, has no post-sale contact: the two cannot be told apart, and the
    # later driver (DRIVER_BANDS' order) is the one reported without an estimate
    data["post_sale_contact"] = np.where(data["discount"] == "high", "no", "yes")
    effects = by_band(fit_effects(data))
    assert effects[("discount", "high")].note == "cannot be told apart from other bands in these data"
    assert effects[("discount", "high")].adjusted_ratio is None
    assert effects[("post_sale_contact", "no")].adjusted_ratio is not None


def test_a_missing_reference_band_leaves_its_driver_unestimated():
    data = observations(accounts=400)
    data["payment"] = "late"
    effects = by_band(fit_effects(data))
    assert effects[("payment", "late")].note == "the reference band has no observations"
    assert effects[("complaint_handling", "unresolved")].adjusted_ratio is not None


def test_no_observations_or_no_losses_give_rows_without_estimates():
    assert fit_effects(observations(accounts=50).iloc[0:0]) == []
    none_lost = fit_effects(observations(accounts=50).assign(became_lost=0))
    assert none_lost
    assert all(e.adjusted_ratio is None and e.note for e in none_lost)


def test_a_fit_that_does_not_converge_is_reported_on_every_band_not_published_as_numbers(monkeypatch):
    from statsmodels.genmod.generalized_linear_model import GLM

    class Diverged:
        converged = False

    monkeypatch.setattr(GLM, "fit", lambda self, **kwargs: Diverged())
    effects = fit_effects(observations(accounts=200))
    assert effects
    assert {e.note for e in effects if e.observations} == {"the model did not converge on these data"}
    assert all(e.adjusted_ratio is None for e in effects)


def test_covariates_are_banded_at_their_bounds():
    values = pd.Series([0, 1, 3, 4, 7, 8, 400])
    assert list(band_covariate(values, COVARIATE_BANDS["purchase_days_in_window"])) == [
        "0",
        "1",
        "2-3",
        "4-7",
        "4-7",
        "8+",
        "8+",
    ]
    days = pd.Series([29, 30, 364, 365])
    assert list(band_covariate(days, COVARIATE_BANDS["days_since_last_purchase"])) == [
        "<30",
        "30-89",
        "180-364",
        "365+",
    ]


def test_covariate_levels_without_losses_join_a_neighbour():
    levels = pd.Series(["a", "b", "c", "d", "d"])
    lost = pd.Series([0, 1, 0, 0, 1])
    merged = merge_levels_without_losses(levels, lost, ["a", "b", "c", "d"])
    assert list(merged) == ["a..b", "a..b", "c..d", "c..d", "c..d"]
    assert (
        list(merge_levels_without_losses(levels, pd.Series([1, 0, 0, 0, 0]), ["a", "b", "c", "d"]))
        == ["a..d"] * 5
    )


@pytest.mark.parametrize("driver", list(DRIVER_BANDS))
def test_every_driver_has_its_reference_first(driver):
    expected = {
        "complaint_handling": "within_sla",
        "csat": "high",
        "contact_persons": "2-3",
        "post_sale_contact": "yes",
        "discount": "none",
        "payment": "on_time",
    }
    assert DRIVER_BANDS[driver][0] == expected[driver]


def test_a_fit_whose_ratios_are_unbounded_is_reported_not_published_or_crashed():
    # ten accounts: nearly as many columns (bands, covariates, quarters) as account-quarters. The fit
    # "converges" to ratios beyond any float; none of them is published and the step does not fail.
    effects = fit_effects(observations(accounts=10, seed=4))
    estimable = [e for e in effects if e.observations and e.lost]
    assert estimable
    for effect in estimable:
        assert effect.adjusted_ratio is None, effect
        assert (
            effect.note == "too few observations or losses for the adjusted model: its ratios are unbounded"
        )
