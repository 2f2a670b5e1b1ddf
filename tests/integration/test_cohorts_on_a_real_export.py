"""The monthly cohorts of a real public transaction log equal a pandas computation of the same file, and
its purchase forecasts give the published BG/NBD and Gamma-Gamma estimates and backtest.

CDNOW_sample.txt (shipped in the `lifetimes` package): 6,919 purchases of 2,357 customers of an online
CD shop, 1997-01 .. 1998-06, one row per purchase: customer, date, CDs, dollar value. It is written out
as a plain CSV export, imported with `lifecycle import-csv`, and run; pandas computes cohort size,
customers with a purchase day and revenue per cohort month x calendar month from the CSV itself.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib.metadata import distribution
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.cli import main


def cdnow_rows() -> list[list[str]]:
    source = Path(str(distribution("lifetimes").locate_file("lifetimes/datasets/CDNOW_sample.txt")))
    return [line.split() for line in source.read_text().splitlines() if line.strip()]


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "cdnow_export.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer", "order_date", "cds", "dollars"])
        for customer, _index, day, cds, dollars in cdnow_rows():
            writer.writerow([customer, day, cds, dollars])
    return path


def pandas_cohorts(export: Path, as_of_month: pd.Period) -> dict[tuple, tuple]:
    df = pd.read_csv(export, dtype=str)
    df["month"] = pd.to_datetime(df["order_date"], format="%Y%m%d").dt.to_period("M")
    df["dollars"] = df["dollars"].map(Decimal)
    df["cohort"] = df.groupby("customer")["month"].transform("min")
    sizes = df.groupby("cohort")["customer"].nunique()
    active = df.groupby(["cohort", "month"])["customer"].nunique()
    revenue = df.groupby(["cohort", "month"])["dollars"].apply(lambda s: sum(s, Decimal(0)))
    cells = {}
    for cohort, size in sizes.items():
        for k, month in enumerate(pd.period_range(cohort, as_of_month, freq="M")):
            key = (cohort, month)
            cells[(cohort.start_time.date(), k)] = (
                int(size),
                int(active.get(key, 0)),
                revenue.get(key, Decimal(0)),
            )
    return cells


def test_a_real_export_gives_pandas_cohorts_and_the_published_forecasts(warehouse, export):
    maps = ["--map", "customer=account_id", "--map", "order_date=occurred_at", "--map", "dollars=amount"]
    imported = ["import-csv", str(export), *maps, "--currency", "USD", "--date-format", "%Y%m%d"]
    assert main([*imported, "--arrival-date", "2020-01-02", "--strict"]) == 0
    # the backtest is calibrated 273 days before the last purchase (1998-06-30): at 1997-09-30, the end of
    # the papers' 39 calibration weeks
    settings = ["--var", "reporting_currency=USD", "--var", "forecast_holdout_days=273"]
    assert main(["run", "--quiet", "--no-record", *settings]) == 0

    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert_cohorts_equal_pandas(con, export)
        assert_forecasts_give_the_published_estimates_and_backtest(con)


def assert_cohorts_equal_pandas(con: duckdb.DuckDBPyConnection, export: Path) -> None:
    rows = con.execute(
        "select cohort, period_number, cohort_size, active_accounts, revenue from marts.cohort_retention "
        "where period_grain = 'month'"
    ).fetchall()
    as_of = con.execute("select max(period_start) from marts.cohort_retention").fetchone()[0]
    got = {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}
    expected = pandas_cohorts(export, pd.Period(as_of, freq="M"))

    # CDNOW's customers were all acquired in 1997-01 .. 1997-03: three cohorts, 18 months each
    assert sum(size for (_, k), (size, _, _) in expected.items() if k == 0) == 2357
    assert got == expected


# Fader, Hardie & Lee (2005), table of estimates, alpha in weeks x 7 (this project counts days); Fader &
# Hardie (2013) for Gamma-Gamma, on the 946 customers with repeat purchases
PUBLISHED = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "gamma": 15.44}


def assert_forecasts_give_the_published_estimates_and_backtest(con: duckdb.DuckDBPyConnection) -> None:
    """The backtest fit is calibrated at 1997-09-30 on the same purchase days as the papers."""
    parameters = con.execute(
        "select parameter, estimate, accounts, cast(calibration_end as varchar) "
        "from marts.purchase_model_parameters where fit = 'backtest'"
    ).fetchall()
    got = {name: estimate for name, estimate, *_ in parameters}
    for name, value in PUBLISHED.items():
        assert got[name] == pytest.approx(value, rel=0.01), name
    assert {(name, n) for name, _, n, _ in parameters if name in ("r", "p")} == {("r", 2357), ("p", 946)}
    assert {end for *_, end in parameters} == {"1997-09-30"}

    # the paper: 0.626 between each customer's predicted and actual purchases in the 39 holdout weeks
    count, correlation, calibration_end, holdout_end = con.execute(
        "select count(*), corr(predicted_repeat_purchase_days, actual_repeat_purchase_days), "
        "cast(min(calibration_end) as varchar), cast(min(holdout_end) as varchar) "
        "from marts.forecast_backtest"
    ).fetchone()
    assert count == 2357
    assert correlation == pytest.approx(0.626, abs=0.005)
    assert (calibration_end, holdout_end) == ("1997-09-30", "1998-06-30")

    # every customer is scored for the year after the last purchase
    scored = con.execute(
        "select count(*), count(p_alive), count(expected_revenue), cast(min(as_of_date) as varchar) "
        "from marts.account_forecasts"
    ).fetchone()
    assert scored == (2357, 2357, 2357, "1998-06-30")
