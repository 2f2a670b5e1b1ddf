"""Purchase forecasts per account: BG/NBD for repeat purchases and whether an account is still alive
(Fader, Hardie & Lee 2005, "Counting your customers the easy way"), and Gamma-Gamma for the value of a
purchase (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value").

Each account is summarised by `x` (repeat purchases: purchase days after the first), `t_x` (time from
its first to its last purchase day), `T` (time from its first purchase day to the end of calibration),
and for Gamma-Gamma `m` (the mean value of its repeat purchases). Time is in whatever unit the caller
uses (this project: days). Likelihoods are computed in log space on the distinct summaries (weights:
how many accounts share one), so a fit costs the number of distinct (x, t_x, T), not accounts; maximum
likelihood over the logarithms of the parameters, standard errors from the inverse Hessian of the
negative log-likelihood in the natural parameters.

Pure: numpy and scipy only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")


class FitFailed(ValueError):
    """The data cannot identify the model, or the optimiser did not converge; the message says which."""


@dataclass(frozen=True)
class Fit:
    parameters: dict[str, float]
    std_errors: dict[str, float]  # nan where the Hessian is not invertible
    log_likelihood: float
    accounts: int


def _distinct(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of `columns` and how many times each occurs."""
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


def bg_nbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Each account's log-likelihood (FHL 2005, eq. 6), in log space."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    # the second term exists only for accounts with a repeat purchase (b + x - 1 > 0 there)
    a4 = np.where(
        repeat,
        np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return a1 + a2 + np.logaddexp(a3, a4)


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Each account's log-likelihood of its mean repeat value `m` over `x` >= 1 purchases (FH 2013)."""
    p, q, gamma = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + px * np.log(x)
        + (px - 1) * np.log(m)
        - (px + q) * np.log(gamma + x * m)
    )


def _hessian(f: Callable[[np.ndarray], float], at: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of `f` at `at`, steps relative to each parameter."""
    n = len(at)
    steps = 1e-4 * np.maximum(np.abs(at), 1e-3)
    hessian = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            shifted = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                point = at.copy()
                point[i] += si * steps[i]
                point[j] += sj * steps[j]
                shifted.append(f(point))
            value = (shifted[0] - shifted[1] - shifted[2] + shifted[3]) / (4 * steps[i] * steps[j])
            hessian[i, j] = hessian[j, i] = value
    return hessian


def _maximise(
    names: tuple[str, ...], negative_ll: Callable[[np.ndarray], float], start: np.ndarray, accounts: int
) -> Fit:
    # the mean over accounts, not the sum: a sum over hundreds of thousands of accounts leaves the
    # finite-difference gradients too coarse for the line search, which then stops short
    def on_logs(log_params: np.ndarray) -> float:
        value = negative_ll(np.exp(log_params)) / accounts
        return value if np.isfinite(value) else 1e300

    best = None
    # L-BFGS-B, then Nelder-Mead from where it stopped: the first that converges wins (deterministic)
    attempts: tuple[tuple[str, dict[str, float]], ...] = (
        ("L-BFGS-B", {"maxiter": 10_000, "ftol": 1e-12, "gtol": 1e-8}),
        ("Nelder-Mead", {"maxiter": 4_000, "xatol": 1e-7, "fatol": 1e-12}),
    )
    at = np.log(start)
    for method, options in attempts:
        result = minimize(on_logs, at, method=method, options=options)
        if result.success and np.isfinite(result.fun):
            best = result
            break
        if np.isfinite(result.fun) and result.fun < on_logs(at):
            at = result.x
    if best is None:
        raise FitFailed(f"the maximum-likelihood fit did not converge ({result.message})")
    estimate = np.exp(best.x)
    try:
        covariance = np.linalg.inv(_hessian(negative_ll, estimate))
        errors = np.sqrt(np.where(np.diag(covariance) > 0, np.diag(covariance), np.nan))
    except np.linalg.LinAlgError:
        errors = np.full(len(names), np.nan)
    return Fit(
        parameters=dict(zip(names, map(float, estimate), strict=True)),
        std_errors=dict(zip(names, map(float, errors), strict=True)),
        log_likelihood=-float(negative_ll(estimate)),
        accounts=accounts,
    )


def fit_bg_nbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> Fit:
    """Maximum-likelihood BG/NBD parameters (r, alpha, a, b) for accounts (x, t_x, T)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) == 0 or not (x > 0).any():
        raise FitFailed("no account has a repeat purchase: the BG/NBD model cannot be fitted")
    (ux, ut, uT), weights = _distinct(x, t_x, T)
    # eq. 6 term by term as bg_nbd_log_likelihood, with the terms of x alone computed once per distinct x
    # (a few dozen values) instead of once per account: the fit evaluates it hundreds of times
    xs, at = np.unique(ux, return_inverse=True)
    repeat = ux > 0
    weight_repeat = weights[repeat]

    def negative_ll(params: np.ndarray) -> float:
        r, alpha, a, b = params
        of_x = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - betaln(a, b)
        shape = (r + xs)[at]
        a3 = -shape * np.log(alpha + uT)
        a4 = (np.log(a) - np.log(np.where(xs > 0, b + xs - 1, 1.0)))[at][repeat] - shape[repeat] * np.log(
            alpha + ut[repeat]
        )
        total = np.dot(weights, of_x[at] + a3) + np.dot(weight_repeat, np.logaddexp(0.0, a4 - a3[repeat]))
        return -float(total)

    start = np.array([1.0, float(np.mean(T)) or 1.0, 1.0, 1.0])
    return _maximise(BG_NBD_PARAMETERS, negative_ll, start, len(x))


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray) -> Fit:
    """Maximum-likelihood Gamma-Gamma parameters (p, q, gamma) on accounts with x >= 1 and m > 0."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 2:
        raise FitFailed("fewer than two accounts with repeat purchases of positive value: no Gamma-Gamma fit")
    (ux, um), weights = _distinct(x[keep], m[keep])
    # as gamma_gamma_log_likelihood, the terms of x alone once per distinct x, the logarithms of x and m
    # once per fit
    xs, at = np.unique(ux, return_inverse=True)
    log_xs, log_m = np.log(xs), np.log(um)

    def negative_ll(params: np.ndarray) -> float:
        p, q, gamma = params
        px = p * xs
        of_x = gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma) + px * log_xs
        total = np.dot(weights, of_x[at] + (px[at] - 1) * log_m - (px + q)[at] * np.log(gamma + ux * um))
        return -float(total)

    start = np.array([1.0, 2.0, float(np.mean(m[keep]))])
    return _maximise(GAMMA_GAMMA_PARAMETERS, negative_ll, start, int(keep.sum()))


def p_alive(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(the account is still alive at T | x, t_x, T) (FHL 2005, eq. 13); 1 without a repeat purchase."""
    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    repeat = x > 0
    log_ratio = (
        np.log(a)
        - np.log(np.where(repeat, b + x - 1, 1.0))
        + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(repeat, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)


def expected_purchases_if_alive(
    params: dict[str, float], t: float, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[purchases in (T, T + t] | x, T, the account alive at T]: FHL 2005 eq. 10 without its P(alive)."""
    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
    z = t / (alpha + T + t)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1)
    return first * (1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp)


def expected_purchases(
    params: dict[str, float], t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10)."""
    return expected_purchases_if_alive(params, t, x, T) * p_alive(params, x, t_x, T)


def expected_value_per_purchase(params: dict[str, float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[value of a purchase | x, m] (Gamma-Gamma conditional mean): a weighted mean of the population
    mean p gamma / (q - 1) and the account's own mean m; the population mean for x = 0."""
    p, q, gamma = (params[k] for k in GAMMA_GAMMA_PARAMETERS)
    x, m = np.asarray(x, dtype=float), np.nan_to_num(np.asarray(m, dtype=float))
    return (p * (gamma + x * m)) / (p * x + q - 1)
