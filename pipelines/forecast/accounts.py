"""Per-account purchase forecasts and their backtest, from the purchase days of the `purchase_days` mart.

Each account with a purchase day by a calibration end is summarised in days (spec section 12):
`repeat_purchase_days` x, `recency_days` t_x, `age_days` T and `average_repeat_value` (mean value of its
repeat purchase days). BG/NBD is fitted on (x, t_x, T) of every account, Gamma-Gamma on the accounts with
repeat purchase days of positive mean value; every account is then scored.

Two fits: `current`, calibrated at the as-of date, scores the accounts for the next horizon; `backtest`,
calibrated `holdout_days` earlier, predicts the holdout, which has happened, so predictions and actuals
sit side by side. A fit that fails (too few repeat buyers, no convergence) leaves its forecasts empty and
says why in `notes`; the rest is still written.

Pure: frames in, frames out; pipelines/forecast/tables.py reads and writes the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from pipelines.forecast.purchase_models import (
    BG_NBD_PARAMETERS,
    GAMMA_GAMMA_PARAMETERS,
    Fit,
    FitFailed,
    expected_purchases,
    expected_purchases_if_alive,
    expected_value_per_purchase,
    fit_bg_nbd,
    fit_gamma_gamma,
    p_alive,
)

TIME_UNIT = "day"
TRACKING_STEP_DAYS = 7  # one point a week, as the papers' tracking plots
MODELS = ("bg_nbd", "gamma_gamma")
# Above this many accounts, the models are fitted on a sample of them (every account is still scored): the
# fit's cost grows with the distinct (x, t_x, T), and a sample this large pins the parameters down far
# more tightly than the forecasts need. The sample is the same for the same accounts (hash of the id).
MAX_FIT_ACCOUNTS = 250_000


@dataclass(frozen=True)
class Forecasts:
    parameters: pd.DataFrame  # purchase_model_parameters
    accounts: pd.DataFrame  # account_forecasts
    backtest: pd.DataFrame  # forecast_backtest
    tracking: pd.DataFrame  # forecast_tracking
    notes: list[str] = field(default_factory=list)  # why a fit has no estimates


def summarise(purchase_days: pd.DataFrame, calibration_end: date) -> pd.DataFrame:
    """x, t_x, T and the mean repeat value per account with a purchase day by `calibration_end`."""
    dated = pd.to_datetime(purchase_days["purchase_date"])  # datetime64: grouped in compiled code
    end = pd.Timestamp(calibration_end)
    days = purchase_days.assign(purchase_date=dated)[dated <= end]
    grouped = days.groupby("account_id")["purchase_date"]
    first = grouped.transform("min")
    repeat = days[days["purchase_date"] > first]
    summary = pd.DataFrame(
        {
            "first_purchase_date": grouped.min(),
            "last_purchase_date": grouped.max(),
            "repeat_purchase_days": grouped.size() - 1,
        }
    )
    summary["average_repeat_value"] = repeat.groupby("account_id")["revenue"].mean()
    summary["recency_days"] = (summary["last_purchase_date"] - summary["first_purchase_date"]).dt.days
    summary["age_days"] = (end - summary["first_purchase_date"]).dt.days
    return summary.reset_index()


def fit_sample(account_ids: pd.Series) -> np.ndarray:
    """Which accounts the models are fitted on: all, or a fixed pseudo-random MAX_FIT_ACCOUNTS of them."""
    if len(account_ids) <= MAX_FIT_ACCOUNTS:
        return np.ones(len(account_ids), dtype=bool)
    order = pd.util.hash_pandas_object(account_ids.reset_index(drop=True), index=False).to_numpy()
    return np.argsort(np.argsort(order)) < MAX_FIT_ACCOUNTS


@dataclass(frozen=True)
class _Scored:
    summary: pd.DataFrame  # summarise() plus p_alive, expected_purchase_days, expected_value_per_purchase
    fits: dict[str, Fit | None]
    notes: list[str]


def _fit_and_score(summary: pd.DataFrame, horizon_days: int, label: str) -> _Scored:
    x = summary["repeat_purchase_days"].to_numpy(float)
    t_x = summary["recency_days"].to_numpy(float)
    T = summary["age_days"].to_numpy(float)
    m = summary["average_repeat_value"].to_numpy(float)
    # Gamma-Gamma describes positive values: an account whose repeat days net to zero or less (credit
    # notes) is scored with the population mean, as one without repeats
    valued = (x > 0) & (np.nan_to_num(m, nan=0.0) > 0)
    sample = fit_sample(summary["account_id"])
    fits: dict[str, Fit | None] = {"bg_nbd": None, "gamma_gamma": None}
    notes: list[str] = []
    scored = summary.copy()
    for column in ("p_alive", "expected_purchase_days", "expected_purchase_days_if_alive"):
        scored[column] = np.nan
    scored["expected_value_per_purchase"] = np.nan
    try:
        fits["bg_nbd"] = fit_bg_nbd(x[sample], t_x[sample], T[sample])
    except FitFailed as failure:
        notes.append(f"{label} bg_nbd: {failure}")
    try:
        fits["gamma_gamma"] = fit_gamma_gamma(x[sample & valued], m[sample & valued])
    except FitFailed as failure:
        notes.append(f"{label} gamma_gamma: {failure}")
    bg_nbd, gamma_gamma = fits["bg_nbd"], fits["gamma_gamma"]
    if bg_nbd is not None:
        scored["expected_purchase_days_if_alive"] = expected_purchases_if_alive(
            bg_nbd.parameters, horizon_days, x, T
        )
        scored["p_alive"] = p_alive(bg_nbd.parameters, x, t_x, T)
        scored["expected_purchase_days"] = scored["expected_purchase_days_if_alive"] * scored["p_alive"]
    if gamma_gamma is not None:
        p, q = gamma_gamma.parameters["p"], gamma_gamma.parameters["q"]
        x_valued = np.where(valued, x, 0.0)
        # the conditional mean exists where p x + q > 1: with q <= 1 (values spread so widely that the
        # population has no mean) only accounts with enough repeat purchases of their own get one
        defined = p * x_valued + q > 1
        with np.errstate(divide="ignore", invalid="ignore"):
            value = expected_value_per_purchase(gamma_gamma.parameters, x_valued, np.where(valued, m, 0.0))
        scored["expected_value_per_purchase"] = np.where(defined, value, np.nan)
        if not defined.all():
            notes.append(
                f"{label} gamma_gamma: q = {q:.3f} <= 1, so the population has no mean value per purchase: "
                f"{int((~defined).sum()):,} accounts without enough repeat purchases of positive value have "
                "no expected value"
            )
    return _Scored(scored, fits, notes)


def _parameter_rows(
    fit_name: str, calibration_end: date, fits: dict[str, Fit | None], notes: list[str]
) -> list[dict]:
    rows = []
    for model, names in (("bg_nbd", BG_NBD_PARAMETERS), ("gamma_gamma", GAMMA_GAMMA_PARAMETERS)):
        fitted = fits[model]
        prefix = f"{fit_name} {model}: "
        note = "; ".join(n.removeprefix(prefix) for n in notes if n.startswith(prefix)) or None
        for name in names:
            rows.append(
                {
                    "fit": fit_name,
                    "calibration_end": calibration_end,
                    "model": model,
                    "parameter": name,
                    "estimate": fitted.parameters[name] if fitted else None,
                    "std_error": _finite(fitted.std_errors[name]) if fitted else None,
                    "log_likelihood": fitted.log_likelihood if fitted else None,
                    "accounts": fitted.accounts if fitted else 0,
                    "time_unit": TIME_UNIT,
                    "note": note,
                }
            )
    return rows


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


def forecast(
    purchase_days: pd.DataFrame,
    current_stages: pd.DataFrame,
    as_of_date: date,
    horizon_days: int,
    holdout_days: int,
) -> Forecasts:
    """The three forecast tables. `purchase_days`: account_id, purchase_date, revenue (the mart);
    `current_stages`: account_id, current_stage."""
    # one order of rows whatever the engine or the scan delivered: the sums behind the mean values, and so
    # the fits, are then the same to the last bit
    days = purchase_days.assign(
        purchase_date=pd.to_datetime(purchase_days["purchase_date"]),
        revenue=purchase_days["revenue"].astype(float),
    ).sort_values(["account_id", "purchase_date"], ignore_index=True)
    current = _fit_and_score(summarise(days, as_of_date), horizon_days, "current")
    scored = current.summary
    expected_value = scored["expected_value_per_purchase"]
    scored["expected_revenue"] = scored["expected_purchase_days"] * expected_value
    scored["revenue_at_risk"] = (
        scored["expected_purchase_days_if_alive"] - scored["expected_purchase_days"]
    ) * expected_value
    scored["as_of_date"] = as_of_date
    scored = scored.merge(current_stages[["account_id", "current_stage"]], on="account_id", how="left")
    accounts = scored[list(ACCOUNT_COLUMNS)].sort_values("account_id", ignore_index=True)

    parameters = _parameter_rows("current", as_of_date, current.fits, current.notes)
    notes = list(current.notes)
    backtest = pd.DataFrame(columns=list(BACKTEST_COLUMNS))
    tracking = pd.DataFrame(columns=list(TRACKING_COLUMNS))
    if holdout_days > 0:
        calibration_end = as_of_date - timedelta(days=holdout_days)
        calibration = summarise(days, calibration_end)
        if calibration.empty:
            missing = [
                f"backtest {model}: no account has a purchase day by {calibration_end}" for model in MODELS
            ]
            notes += missing
            parameters += _parameter_rows("backtest", calibration_end, dict.fromkeys(MODELS), missing)
        else:
            past = _fit_and_score(calibration, holdout_days, "backtest")
            parameters += _parameter_rows("backtest", calibration_end, past.fits, past.notes)
            notes += past.notes
            backtest = _backtest(days, past.summary, calibration_end, as_of_date)
            if past.fits["bg_nbd"] is not None:
                tracking = _tracking(days, past.summary, past.fits["bg_nbd"], calibration_end, holdout_days)
    return Forecasts(
        pd.DataFrame(parameters, columns=list(PARAMETER_COLUMNS)), accounts, backtest, tracking, notes
    )


def _tracking(
    days: pd.DataFrame, calibration: pd.DataFrame, bg_nbd: Fit, calibration_end: date, holdout_days: int
) -> pd.DataFrame:
    """Cumulative predicted and actual repeat purchase days of the backtest population, week by week
    through the holdout (and its last day): the papers' tracking plot."""
    x = calibration["repeat_purchase_days"].to_numpy(float)
    t_x = calibration["recency_days"].to_numpy(float)
    T = calibration["age_days"].to_numpy(float)
    known = set(calibration["account_id"])
    start = pd.Timestamp(calibration_end)
    holdout = days[(days["purchase_date"] > start) & days["account_id"].isin(known)]
    offsets = sorted({*range(TRACKING_STEP_DAYS, holdout_days, TRACKING_STEP_DAYS), holdout_days})
    elapsed = (holdout["purchase_date"] - start).dt.days
    rows = []
    for offset in offsets:
        predicted = expected_purchases(bg_nbd.parameters, offset, x, t_x, T)
        rows.append(
            {
                "calibration_end": calibration_end,
                "day": calibration_end + timedelta(days=offset),
                "days_since_calibration": offset,
                "predicted_repeat_purchase_days": float(predicted.sum()),
                "actual_repeat_purchase_days": int((elapsed <= offset).sum()),
            }
        )
    return pd.DataFrame(rows, columns=list(TRACKING_COLUMNS))


def _backtest(
    days: pd.DataFrame, scored: pd.DataFrame, calibration_end: date, holdout_end: date
) -> pd.DataFrame:
    holdout = days[
        (days["purchase_date"] > pd.Timestamp(calibration_end))
        & (days["purchase_date"] <= pd.Timestamp(holdout_end))
    ]
    actual = holdout.groupby("account_id").agg(
        actual_repeat_purchase_days=("purchase_date", "size"), actual_revenue=("revenue", "sum")
    )
    rows = scored.set_index("account_id").join(actual, how="left")
    rows[["actual_repeat_purchase_days", "actual_revenue"]] = rows[
        ["actual_repeat_purchase_days", "actual_revenue"]
    ].fillna(0)
    rows["actual_repeat_purchase_days"] = rows["actual_repeat_purchase_days"].astype("int64")
    rows["calibration_end"] = calibration_end
    rows["holdout_end"] = holdout_end
    rows["p_alive_at_calibration_end"] = rows["p_alive"]
    rows["predicted_repeat_purchase_days"] = rows["expected_purchase_days"]
    rows["predicted_revenue"] = rows["expected_purchase_days"] * rows["expected_value_per_purchase"]
    return rows.reset_index()[list(BACKTEST_COLUMNS)].sort_values("account_id", ignore_index=True)


PARAMETER_COLUMNS = (
    "fit",
    "calibration_end",
    "model",
    "parameter",
    "estimate",
    "std_error",
    "log_likelihood",
    "accounts",
    "time_unit",
    "note",
)
ACCOUNT_COLUMNS = (
    "account_id",
    "as_of_date",
    "repeat_purchase_days",
    "recency_days",
    "age_days",
    "average_repeat_value",
    "p_alive",
    "expected_purchase_days",
    "expected_value_per_purchase",
    "expected_revenue",
    "revenue_at_risk",
    "current_stage",
)
BACKTEST_COLUMNS = (
    "account_id",
    "calibration_end",
    "holdout_end",
    "p_alive_at_calibration_end",
    "predicted_repeat_purchase_days",
    "actual_repeat_purchase_days",
    "predicted_revenue",
    "actual_revenue",
)
TRACKING_COLUMNS = (
    "calibration_end",
    "day",
    "days_since_calibration",
    "predicted_repeat_purchase_days",
    "actual_repeat_purchase_days",
)
