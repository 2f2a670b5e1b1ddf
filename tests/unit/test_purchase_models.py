"""BG/NBD and Gamma-Gamma (pipelines/forecast/purchase_models.py) against the published CDNOW estimates,
against their own generative story, and against the closed forms' special cases."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from pipelines.forecast.purchase_models import (
    FitFailed,
    expected_purchases,
    expected_value_per_purchase,
    fit_bg_nbd,
    fit_gamma_gamma,
    p_alive,
)


def lifetimes_dataset(name: str) -> pd.DataFrame:
    """A data file shipped in the lifetimes wheel (read as a file: the package itself needs pkg_resources)."""
    with resources.as_file(resources.files("lifetimes") / "datasets" / name) as path:
        return pd.read_csv(path)


def test_bg_nbd_on_cdnow_gives_the_published_estimates():
    """Fader, Hardie & Lee (2005), CDNOW sample, 2,357 customers, 39 weeks: r 0.243, alpha 4.414,
    a 0.793, b 2.426, log-likelihood -9582.4."""
    cdnow = lifetimes_dataset("cdnow_customers_summary.csv")
    fit = fit_bg_nbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert fit.parameters[name] == pytest.approx(value, abs=5e-4), name  # to the digits published
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert fit.accounts == 2357
    assert all(0 < fit.std_errors[k] < fit.parameters[k] for k in published)


def test_gamma_gamma_on_cdnow_gives_the_published_estimates():
    """Fader & Hardie (2013): the 946 CDNOW customers with repeat purchases, p 6.25, q 3.74, gamma 15.44."""
    cdnow = lifetimes_dataset("cdnow_customers_summary_with_transactions.csv")
    fit = fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert fit.parameters[name] == pytest.approx(value, rel=1e-2), name  # within 1%
    assert fit.accounts == 946


def simulate_bg_nbd(rng, n, r, alpha, a, b, horizon):
    """Accounts whose purchases follow the BG/NBD story: a Poisson rate from Gamma(r, alpha), a dropout
    probability from Beta(a, b) after each purchase; each observed for a time T drawn up to `horizon`."""
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    T = rng.uniform(0.2 * horizon, horizon, n)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / rate[i])
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < dropout[i]:
                break
    return x, t_x, T


def test_a_business_simulated_from_known_parameters_gives_them_back_within_the_intervals():
    rng = np.random.default_rng(2005)
    truth = {"r": 0.8, "alpha": 30.0, "a": 1.5, "b": 4.0}
    x, t_x, T = simulate_bg_nbd(rng, 6000, **truth, horizon=700.0)
    fit = fit_bg_nbd(x, t_x, T)
    for name, value in truth.items():
        low = fit.parameters[name] - 1.96 * fit.std_errors[name]
        high = fit.parameters[name] + 1.96 * fit.std_errors[name]
        assert low <= value <= high, (name, fit.parameters[name], fit.std_errors[name])

    # values: Gamma(p, nu) per purchase, nu from Gamma(q, gamma) per account
    p, q, gamma = 4.0, 3.0, 90.0
    repeaters = x > 0
    nu = rng.gamma(q, 1 / gamma, repeaters.sum())
    means = np.array([rng.gamma(p, 1 / v, int(k)).mean() for v, k in zip(nu, x[repeaters], strict=True)])
    values = fit_gamma_gamma(x[repeaters], means)
    for name, value in {"p": p, "q": q, "gamma": gamma}.items():
        low = values.parameters[name] - 1.96 * values.std_errors[name]
        high = values.parameters[name] + 1.96 * values.std_errors[name]
        assert low <= value <= high, (name, values.parameters[name], values.std_errors[name])


def test_a_new_accounts_expected_purchases_are_what_the_story_generates():
    """With nothing observed (x = t_x = T = 0) the conditional expectation is the unconditional E[X(t)]:
    the mean count of a Monte Carlo of the generative story, to its standard error."""
    params = {"r": 0.8, "alpha": 30.0, "a": 1.5, "b": 4.0}
    rng = np.random.default_rng(13)
    rate = rng.gamma(params["r"], 1 / params["alpha"], 40_000)
    dropout = rng.beta(params["a"], params["b"], 40_000)
    counts = np.zeros(40_000)
    for i in range(40_000):
        t = rng.exponential(1 / rate[i])
        while t <= 365:
            counts[i] += 1
            if rng.random() < dropout[i]:
                break
            t += rng.exponential(1 / rate[i])
    expected = expected_purchases(params, 365.0, np.array([0.0]), np.array([0.0]), np.array([0.0]))[0]
    assert expected == pytest.approx(counts.mean(), abs=3 * counts.std() / np.sqrt(len(counts)))


def test_p_alive_is_one_without_repeats_and_falls_with_silence():
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    alive = p_alive(params, np.array([0, 2, 2, 2]), np.array([0, 30.0, 20.0, 5.0]), np.array([39.0] * 4))
    assert alive[0] == 1.0
    assert alive[1] > alive[2] > alive[3]
    assert 0 < alive[3] < 1


def test_the_value_of_a_purchase_shrinks_an_accounts_mean_towards_the_population_mean():
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    population = params["p"] * params["gamma"] / (params["q"] - 1)
    values = expected_value_per_purchase(params, np.array([0, 1, 10, 100]), np.array([np.nan, 100, 100, 100]))
    assert values[0] == pytest.approx(population)
    assert population < values[1] < values[2] < values[3] < 100


def test_fits_without_repeat_buyers_fail_with_a_reason():
    with pytest.raises(FitFailed, match="no account has a repeat purchase"):
        fit_bg_nbd(np.zeros(5), np.zeros(5), np.full(5, 10.0))
    with pytest.raises(FitFailed, match="fewer than two accounts"):
        fit_gamma_gamma(np.array([0, 1]), np.array([0, 5.0]))
