"""survival_curves is the Kaplan-Meier estimate lifelines computes, on the simulated business (fixture
`simulated_business`): the same at-risk counts, losses and censorings, survival and exponential-Greenwood
interval on every day of every curve, to 1e-9. Each account's time is derived here from the lifecycle
marts, independently of the model."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

pytestmark = pytest.mark.integration

LIFETIMES = """
with first_losses as (
    select account_id, min(changed_on) as lost_on
    from marts.lifecycle_transitions where to_stage = 'lost' group by account_id
)
select
    a.account_id,
    extract(year from a.first_purchase_date)::varchar as acquisition_year,
    o.post_sale_contact,
    o.complaint_handling,
    (coalesce(l.lost_on, d.as_of_date) - a.first_purchase_date)::integer as days,
    (l.lost_on is not null)::integer as is_lost
from marts.accounts as a
cross join intermediate.int_as_of_date_resolved as d
left join first_losses as l using (account_id)
left join marts.churn_observations as o
    on o.account_id = a.account_id
    and o.quarter_start = date_trunc('quarter', a.first_purchase_date) + interval 3 month
where a.first_purchase_date is not null
"""


@pytest.fixture(scope="module")
def marts(simulated_business):
    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        lifetimes = con.execute(LIFETIMES).df()
        curves = con.execute("select * from marts.survival_curves order by grouping, group_value, days").df()
    return lifetimes, curves


def kaplan_meier(lifetimes: pd.DataFrame) -> pd.DataFrame:
    fitter = KaplanMeierFitter().fit(lifetimes["days"], lifetimes["is_lost"])
    table = fitter.event_table
    table = table[table["observed"] + table["censored"] > 0]
    bounds = fitter.confidence_interval_.loc[table.index]
    return pd.DataFrame(
        {
            "days": table.index.astype(int),
            "at_risk": table["at_risk"].to_numpy(),
            "lost": table["observed"].to_numpy(),
            "censored": table["censored"].to_numpy(),
            "survival": fitter.survival_function_.loc[table.index].iloc[:, 0].to_numpy(),
            "ci_low": bounds.iloc[:, 0].to_numpy(),
            "ci_high": bounds.iloc[:, 1].to_numpy(),
        }
    )


def groups(lifetimes: pd.DataFrame):
    yield "all", "all", lifetimes
    for grouping in ("acquisition_year", "post_sale_contact", "complaint_handling"):
        for value, members in lifetimes.dropna(subset=[grouping]).groupby(grouping):
            yield grouping, value, members


def test_every_curve_is_the_kaplan_meier_estimate_of_lifelines(marts):
    lifetimes, curves = marts
    compared = 0
    for grouping, value, members in groups(lifetimes):
        ours = curves[(curves["grouping"] == grouping) & (curves["group_value"] == value)]
        theirs = kaplan_meier(members)
        assert list(ours["days"]) == list(theirs["days"]), (grouping, value)
        for column in ("at_risk", "lost", "censored"):
            assert list(ours[column]) == list(theirs[column]), (grouping, value, column)
        for column in ("survival", "ci_low", "ci_high"):
            assert ours[column].to_numpy() == pytest.approx(theirs[column].to_numpy(), abs=1e-9), (
                grouping,
                value,
                column,
            )
        halved = theirs.loc[theirs["survival"] <= 0.5 + 1e-9, "days"]
        expected_median = halved.iloc[0] if len(halved) else None
        assert set(ours["median_days_to_loss"].dropna()) == ({expected_median} if expected_median else set())
        compared += 1
    assert compared >= 10


def test_the_curves_cover_every_group_and_start_with_everyone_at_risk(marts):
    lifetimes, curves = marts
    firsts = curves.groupby(["grouping", "group_value"]).first()
    assert firsts.loc[("all", "all"), "at_risk"] == len(lifetimes)
    years = set(curves.loc[curves["grouping"] == "acquisition_year", "group_value"])
    assert years == set(lifetimes["acquisition_year"])
    # the planted drivers show in time to loss too: slower losses where contact follows the sale
    median = curves.groupby(["grouping", "group_value"])["median_days_to_loss"].first()
    survival_at_two_years = {
        band: curves[
            (curves["grouping"] == "post_sale_contact")
            & (curves["group_value"] == band)
            & (curves["days"] <= 730)
        ]["survival"].iloc[-1]
        for band in ("yes", "no")
    }
    assert survival_at_two_years["yes"] > survival_at_two_years["no"], (survival_at_two_years, median)
