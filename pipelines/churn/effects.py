"""Adjusted churn-driver effects: what each driver band does to the risk of becoming lost, other things equal.

`churn_drivers` compares each band with all observations, one driver at a time; drivers travel together
and with buying rhythm, so those ratios mix effects (docs/decisions/0007-adjusted-churn-effects.md). Here
one model holds every measured driver at once, with the account's purchase rhythm, tenure and the quarter:
a Poisson regression with a log link on the 0/1 outcome of each account-quarter ("modified Poisson"), whose
exponentiated coefficients are risk ratios against each driver's reference band. The same account is
observed in many quarters, so the variance is clustered by account (sandwich estimator).

The risk set is the account-quarters not yet overdue at the quarter start (the at-risk rule): an account
that has already stopped buying becomes lost on a timer, so its outcome is settled before the quarter
starts, and its long silence, not a driver, would explain it.

Pure: rows in, rows out; the Dagster asset reads and writes (pipelines/defs/churn/assets.py).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MODEL = "modified_poisson"
Z_95 = 1.959963984540054
# The largest log ratio (or interval bound) published: beyond it the data cannot bound the ratio at all
# (e^700 is near the largest float).
MAX_LOG_RATIO = 700.0
UNBOUNDED = "too few observations or losses for the adjusted model: its ratios are unbounded"
NOT_CONVERGED = "the model did not converge on these data"

# Each driver's bands, its reference first: the band the others are compared with (the healthy state).
DRIVER_BANDS: dict[str, tuple[str, ...]] = {
    "complaint_handling": ("within_sla", "none", "slow", "unresolved"),
    "csat": ("high", "unrated", "low", "mid"),
    "contact_persons": ("2-3", "none", "1", "4+"),
    "post_sale_contact": ("yes", "no"),
    "discount": ("none", "low", "high"),
    "payment": ("on_time", "late"),
}

# The adjustment covariates, banded (upper bounds exclusive, the last band open): purchase rhythm and tenure.
COVARIATE_BANDS: dict[str, tuple[tuple[str, float], ...]] = {
    "purchase_days_in_window": (("0", 1), ("1", 2), ("2-3", 4), ("4-7", 8), ("8+", math.inf)),
    "days_since_last_purchase": (
        ("<30", 30),
        ("30-89", 90),
        ("90-179", 180),
        ("180-364", 365),
        ("365+", math.inf),
    ),
    "tenure_days": (("<1y", 365), ("1-2y", 730), ("2-4y", 1461), ("4y+", math.inf)),
}

COLUMNS = (
    "driver",
    "band",
    "reference_band",
    "adjusted_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "observations",
    "lost",
    "model",
    "note",
)


@dataclass(frozen=True)
class Effect:
    driver: str
    band: str
    reference_band: str
    adjusted_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    observations: int
    lost: int
    model: str
    note: str | None  # why the band has no estimate; null when it has one

    def row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


def band_covariate(values: pd.Series, bands: tuple[tuple[str, float], ...]) -> pd.Series:
    """The band label of each value (`bands`: label and exclusive upper bound, ascending)."""
    labels = np.array([label for label, _ in bands], dtype=object)
    bounds = np.array([upper for _, upper in bands[:-1]], dtype=float)
    positions = np.searchsorted(bounds, values.to_numpy(dtype=float), side="right")
    return pd.Series(labels[positions], index=values.index)


def merge_levels_without_losses(levels: pd.Series, lost: pd.Series, order: list[str]) -> pd.Series:
    """Ordered covariate levels, each without a loss merged into its neighbour (the next, or the previous for
    the last): a level where nobody is lost has no finite log rate, and a covariate only adjusts."""
    order = [level for level in order if (levels == level).any()]
    losses = lost.groupby(levels).sum()
    mapping = {level: level for level in order}
    groups: list[list[str]] = []
    pending: list[str] = []
    for level in order:
        pending.append(level)
        if losses.get(level, 0) > 0:
            groups.append(pending)
            pending = []
    if pending:
        if groups:
            groups[-1].extend(pending)
        else:
            groups.append(pending)
    for group in groups:
        for level in group:
            mapping[level] = group[0] if len(group) == 1 else f"{group[0]}..{group[-1]}"
    return levels.map(mapping)


def _dummies(levels: pd.Series, reference: str, prefix: str) -> tuple[list[str], np.ndarray]:
    names = [v for v in sorted(levels.unique()) if v != reference]
    columns = [(levels == v).to_numpy(dtype=float) for v in names]
    matrix = np.column_stack(columns) if columns else np.empty((len(levels), 0))
    return [f"{prefix}={v}" for v in names], matrix


def _independent_columns(x: np.ndarray, tolerance: float = 1e-9) -> list[int]:
    """Indices of the columns kept, in order, each not a linear combination of those kept before it."""
    gram = x.T @ x
    kept: list[int] = []
    for j in range(x.shape[1]):
        trial = [*kept, j]
        sub = gram[np.ix_(trial, trial)]
        if np.linalg.matrix_rank(sub, tol=tolerance * max(1.0, float(np.abs(sub).max()))) == len(trial):
            kept.append(j)
    return kept


def risk_set(observations: pd.DataFrame) -> pd.DataFrame:
    """The account-quarters the effects are fitted on (not overdue at the quarter start), in a fixed order:
    the same data give the same numbers whatever order they were read in."""
    data = observations
    if "overdue_at_start" in data:
        data = data[~data["overdue_at_start"].fillna(False).astype(bool)]
    return data.sort_values(["account_id", "quarter_start"], kind="stable").reset_index(drop=True)


def _bands_without_estimate(
    data: pd.DataFrame, measured: list[str]
) -> tuple[dict[tuple[str, str], str], pd.Series]:
    """(why each band that cannot be estimated cannot, which rows stay in the fit)."""
    lost = data["became_lost"]
    notes: dict[tuple[str, str], str] = {}
    keep = pd.Series(True, index=data.index)
    for driver in measured:
        reference, *others = DRIVER_BANDS[driver]
        band = data[driver]
        why = None
        if not (band == reference).any():
            why = "the reference band has no observations"
        elif lost[band == reference].sum() == 0:
            why = "no account in the reference band became lost"
        for other in others:
            in_band = band == other
            if why is not None:
                notes[(driver, other)] = why
            elif not in_band.any():
                notes[(driver, other)] = "no observations in this band"
            elif lost[in_band].sum() == 0:
                notes[(driver, other)] = "no account in this band became lost"
                keep &= ~in_band  # a rate of 0 has no finite log: its rows leave the fit
    return notes, keep


def _design(
    data: pd.DataFrame, measured: list[str], notes: dict[tuple[str, str], str]
) -> tuple[list[str], np.ndarray]:
    """Column names and the design matrix: intercept, driver bands (dummies against the reference), then the
    banded covariates and the quarter (dummies against their most common level)."""
    names: list[str] = ["intercept"]
    blocks: list[np.ndarray] = [np.ones((len(data), 1))]
    for driver in measured:
        reference, *others = DRIVER_BANDS[driver]
        if all((driver, b) in notes for b in others):
            continue  # nothing to estimate against: the driver's reference is empty or never lost
        band_names, block = _dummies(data[driver], reference, driver)
        names += band_names
        blocks.append(block)
    lost = data["became_lost"]
    adjusting = [
        (name, band_covariate(data[name], bands), [label for label, _ in bands])
        for name, bands in COVARIATE_BANDS.items()
    ]
    quarters = data["quarter_start"].astype(str)
    adjusting.append(("quarter", quarters, sorted(quarters.unique())))
    for name, levels, order in adjusting:
        merged = merge_levels_without_losses(levels, lost, order)
        reference = str(merged.value_counts().idxmax())  # the most common level: the steadiest baseline
        covariate_names, block = _dummies(merged, reference, name)
        names += covariate_names
        blocks.append(block)
    return names, np.hstack(blocks)


def _fit(
    y: np.ndarray, x: np.ndarray, accounts: pd.Series, names: list[str]
) -> tuple[dict[str, tuple[float, float, float, float]] | None, str]:
    """(ratio, low, high, p) per column of the Poisson GLM with a log link and a variance clustered by
    account; or None and why not (no convergence, or ratios the data cannot bound)."""
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    groups = pd.factorize(accounts)[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = GLM(y, x, family=Poisson()).fit(cov_type="cluster", cov_kwds={"groups": groups}, maxiter=100)
    if not getattr(result, "converged", True) or any("converge" in str(w.message).lower() for w in caught):
        return None, NOT_CONVERGED
    params, errors, p_values = (np.asarray(v) for v in (result.params, result.bse, result.pvalues))
    lows, highs = params - Z_95 * errors, params + Z_95 * errors
    # a fit that "converged" on nearly as many columns as rows drifts to ratios no float holds, and every
    # other column of it is as unreliable
    if not all(np.isfinite(v).all() and (np.abs(v) < MAX_LOG_RATIO).all() for v in (params, lows, highs)):
        return None, UNBOUNDED
    return {
        name: (math.exp(params[j]), math.exp(lows[j]), math.exp(highs[j]), float(p_values[j]))
        for j, name in enumerate(names)
    }, ""


def fit_effects(observations: pd.DataFrame) -> list[Effect]:
    """One Effect per measured driver and non-reference band.

    `observations`: one row per account-quarter with account_id, quarter_start, became_lost (0/1),
    overdue_at_start (left out: the module's docstring says why), the drivers' bands (a driver whose
    column is all null is not measured and gets no rows) and the covariates of COVARIATE_BANDS. A band
    with no observation, no loss, or no way to separate it from the other bands gets a row without an
    estimate and a note saying why; the others are still estimated. `observations` and `lost` count the
    band's rows in the risk set."""
    data = risk_set(observations)
    measured = [d for d in DRIVER_BANDS if d in data and data[d].notna().any()]
    notes, keep = _bands_without_estimate(data, measured)
    fitted = data[keep].reset_index(drop=True)
    y = fitted["became_lost"].to_numpy(dtype=float)
    estimates = None
    failure = "too few observations or no losses to fit a model"
    if y.sum() > 0:
        names, x = _design(fitted, measured, notes)
        # driver columns come before the covariates': of two inseparable driver bands the later one goes
        kept = _independent_columns(x)
        for j in sorted(set(range(len(names))) - set(kept)):
            driver, _, band = names[j].partition("=")
            if driver in DRIVER_BANDS:
                notes[(driver, band)] = "cannot be told apart from other bands in these data"
        if len(fitted) > len(kept):
            estimates, failure = _fit(y, x[:, kept], fitted["account_id"], [names[j] for j in kept])

    effects = []
    for driver in measured:
        reference, *others = DRIVER_BANDS[driver]
        for band in others:
            in_band = data[driver] == band
            note = notes.get((driver, band))
            estimate = estimates.get(f"{driver}={band}") if estimates is not None else None
            if estimate is None and note is None:
                note = failure
            ratio, low, high, p_value = estimate if estimate is not None and note is None else (None,) * 4
            effects.append(
                Effect(
                    driver=driver,
                    band=band,
                    reference_band=reference,
                    adjusted_ratio=ratio,
                    ci_low=low,
                    ci_high=high,
                    p_value=p_value,
                    observations=int(in_band.sum()),
                    lost=int(data["became_lost"][in_band].sum()),
                    model=MODEL,
                    note=note,
                )
            )
    return effects
