"""Daily FX rates for the simulated period: a seeded random walk around realistic levels."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

BASE_CURRENCY = "EUR"
# Units of the currency per 1 EUR, roughly where they traded in recent years.
START_LEVELS = {"EUR": 1.0, "PLN": 4.30, "USD": 1.08, "GBP": 0.86}
FX_FILE = "fx_rates.csv"


def write_fx_rates(
    folder: Path, currencies: list[str], first: date, last: date, rng: np.random.Generator
) -> Path:
    """One row per day and currency (`rate_date, base_currency, currency, rate`), 6 decimals."""
    n_days = (last - first).days + 1
    days = [(first + timedelta(days=i)).isoformat() for i in range(n_days)]
    cols: dict[str, list] = {"rate_date": [], "base_currency": [], "currency": [], "rate": []}
    for cur in sorted(set(currencies) | {BASE_CURRENCY}):
        level = START_LEVELS.get(cur, 1.0)
        walk = np.ones(n_days) if cur == BASE_CURRENCY else np.exp(np.cumsum(rng.normal(0, 0.004, n_days)))
        cols["rate_date"] += days
        cols["base_currency"] += [BASE_CURRENCY] * n_days
        cols["currency"] += [cur] * n_days
        cols["rate"] += [f"{x:.6f}" for x in level * walk]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FX_FILE
    pacsv.write_csv(pa.table(cols), path)
    return path
