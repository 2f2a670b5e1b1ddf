"""Per-account forecasts and backtest (pipelines/forecast/accounts.py): the summaries the models read, the
published CDNOW estimates from raw purchases, and what a failed fit leaves behind."""

from __future__ import annotations

from datetime import date
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from pipelines.forecast import accounts as forecasts
from pipelines.forecast.accounts import forecast, summarise
from pipelines.forecast.purchase_models import Fit


def lifetimes_file(name: str, **read) -> pd.DataFrame:
    with resources.as_file(resources.files("lifetimes") / "datasets" / name) as path:
        return pd.read_csv(path, **read)


@pytest.fixture(scope="module")
def cdnow_days() -> pd.DataFrame:
    """CDNOW_sample.txt as the purchase_days mart holds it: one row per customer and day, value summed."""
    raw = lifetimes_file(
        "CDNOW_sample.txt", sep=r"\s+", header=None, names=["id", "index", "day", "cds", "amount"]
    )
    raw["account_id"] = raw["index"].astype(str)  # the summaries' ID column is this index
    raw["purchase_date"] = pd.to_datetime(raw["day"].astype(str), format="%Y%m%d").dt.date
    days = raw.groupby(["account_id", "purchase_date"], as_index=False)["amount"].sum()
    return days.rename(columns={"amount": "revenue"})


def stages_of(days: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"account_id": days["account_id"].unique(), "current_stage": "repeat"})


def test_summaries_of_raw_purchases_equal_the_published_cdnow_summary(cdnow_days):
    """x, t_x, T (weeks in the published file, days here) and the mean repeat value of each customer."""
    got = summarise(cdnow_days, date(1997, 9, 30)).set_index("account_id")
    published = lifetimes_file("cdnow_customers_summary_with_transactions.csv")
    published.index = published["ID"].astype(str)
    got = got.loc[published.index]
    assert (got["repeat_purchase_days"].to_numpy() == published["x"].to_numpy()).all()
    assert np.allclose(got["recency_days"] / 7, published["t_x"], atol=0.005)
    assert np.allclose(got["age_days"] / 7, published["T"], atol=0.005)
    repeat = published["x"] > 0
    assert np.allclose(got["average_repeat_value"][repeat], published["zbar"][repeat], atol=0.005)
    assert got["average_repeat_value"][~repeat].isna().all()


def test_forecasts_from_raw_purchases_give_the_published_estimates(cdnow_days):
    result = forecast(cdnow_days, stages_of(cdnow_days), date(1997, 9, 30), 365, 0)
    got = result.parameters.set_index("parameter")
    published = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "gamma": 15.44}
    for name, value in published.items():
        assert got.loc[name, "estimate"] == pytest.approx(value, rel=0.01), name
    assert set(got["fit"]) == {"current"}
    assert set(got["time_unit"]) == {"day"}
    assert result.backtest.empty
    assert result.notes == []

    scored = result.accounts
    assert len(scored) == 2357
    assert scored["p_alive"].between(0, 1).all()
    # revenue at risk: what the forecast loses to the chance the account is gone; none for an account
    # that never repeated (BG/NBD: alive until its first repeat)
    assert (scored["revenue_at_risk"] >= 0).all()
    no_repeat = scored["repeat_purchase_days"] == 0
    assert (scored.loc[no_repeat, "p_alive"] == 1).all()
    assert (scored.loc[no_repeat, "revenue_at_risk"] == 0).all()
    assert np.allclose(
        scored["expected_revenue"], scored["expected_purchase_days"] * scored["expected_value_per_purchase"]
    )


def test_the_backtest_counts_only_the_holdout_and_scores_the_accounts_known_at_its_start(cdnow_days):
    result = forecast(cdnow_days, stages_of(cdnow_days), date(1998, 6, 30), 365, 273)
    backtest = result.backtest.set_index("account_id")
    holdout = cdnow_days[cdnow_days["purchase_date"] > date(1997, 9, 30)]
    actual = holdout.groupby("account_id").agg(days=("purchase_date", "size"), revenue=("revenue", "sum"))
    assert len(backtest) == 2357
    assert backtest.loc[actual.index, "actual_repeat_purchase_days"].tolist() == actual["days"].tolist()
    assert np.allclose(backtest.loc[actual.index, "actual_revenue"], actual["revenue"])
    assert (backtest.drop(actual.index)["actual_repeat_purchase_days"] == 0).all()
    fits = result.parameters.groupby("fit")["calibration_end"].first()
    assert fits.to_dict() == {"backtest": date(1997, 9, 30), "current": date(1998, 6, 30)}


def test_a_fit_that_cannot_be_made_is_said_in_the_marts_and_the_summaries_stay():
    days = pd.DataFrame(
        {
            "account_id": ["a", "b", "c"],
            "purchase_date": [date(2024, 1, 5), date(2024, 2, 1), date(2024, 3, 9)],
            "revenue": [10.0, 20.0, 30.0],
        }
    )
    result = forecast(days, stages_of(days), date(2024, 12, 31), 365, 0)
    assert any("no account has a repeat purchase" in note for note in result.notes)
    bg_nbd = result.parameters[result.parameters["model"] == "bg_nbd"]
    assert bg_nbd["estimate"].isna().all()
    assert bg_nbd["note"].str.contains("no account has a repeat").all()
    assert result.accounts["p_alive"].isna().all()
    assert result.accounts["age_days"].tolist() == [361, 334, 297]


def test_a_backtest_before_the_first_purchase_is_said_not_fitted():
    days = pd.DataFrame(
        {
            "account_id": ["a", "a"],
            "purchase_date": [date(2024, 6, 1), date(2024, 7, 1)],
            "revenue": [1.0, 2.0],
        }
    )
    result = forecast(days, stages_of(days), date(2024, 12, 31), 365, 365)
    backtest = result.parameters[result.parameters["fit"] == "backtest"]
    assert len(backtest) == 7
    assert backtest["estimate"].isna().all()
    assert backtest["note"].str.startswith("no account has a purchase day by 2024-01-01").all()
    assert result.backtest.empty


def test_large_populations_are_fitted_on_a_fixed_sample_whatever_the_row_order(monkeypatch):
    monkeypatch.setattr(forecasts, "MAX_FIT_ACCOUNTS", 100)
    ids = pd.Series([f"account-{i}" for i in range(1000)])
    chosen = set(ids[forecasts.fit_sample(ids)])
    shuffled = ids.sample(frac=1, random_state=3)
    assert len(chosen) == 100
    assert set(shuffled[forecasts.fit_sample(shuffled)]) == chosen
    assert forecasts.fit_sample(ids[:50]).all()


def test_with_values_spread_too_widely_for_a_mean_only_accounts_with_repeats_are_valued(
    cdnow_days, monkeypatch
):
    """Gamma-Gamma with q <= 1 has no population mean: the conditional mean p (gamma + x m) / (p x + q - 1)
    exists only where p x + q > 1, so accounts without repeats get no expected value, and the note says so."""
    spread = Fit({"p": 0.6, "q": 0.9, "gamma": 50.0}, dict.fromkeys(("p", "q", "gamma"), 0.1), -1.0, 946)
    monkeypatch.setattr(forecasts, "fit_gamma_gamma", lambda x, m: spread)
    result = forecast(cdnow_days, stages_of(cdnow_days), date(1997, 9, 30), 365, 0)
    scored = result.accounts
    valued = scored["repeat_purchase_days"] >= 1  # 0.6 x + 0.9 > 1 from one repeat on
    assert scored.loc[valued, "expected_value_per_purchase"].notna().all()
    assert scored.loc[~valued, "expected_value_per_purchase"].isna().all()
    assert scored.loc[~valued, "expected_revenue"].isna().all()
    assert any(f"{int((~valued).sum()):,} accounts without enough repeat" in note for note in result.notes)


def test_the_forecasts_are_the_same_to_the_last_bit_whatever_the_order_of_the_rows(cdnow_days):
    """Two engines deliver the purchase days in different orders; their marts must be equal."""
    ordered = forecast(cdnow_days, stages_of(cdnow_days), date(1998, 6, 30), 365, 273)
    shuffled_days = cdnow_days.sample(frac=1, random_state=5)
    shuffled = forecast(shuffled_days, stages_of(shuffled_days), date(1998, 6, 30), 365, 273)
    pd.testing.assert_frame_equal(ordered.parameters, shuffled.parameters, check_exact=True)
    pd.testing.assert_frame_equal(ordered.accounts, shuffled.accounts, check_exact=True)
    pd.testing.assert_frame_equal(ordered.backtest, shuffled.backtest, check_exact=True)
