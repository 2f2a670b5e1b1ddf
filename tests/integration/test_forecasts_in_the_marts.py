"""The lifecycle marts carry the purchase forecasts of the same run: the dbt step that builds them runs after
the Python step that fits the forecasts, and the follow-up list is ordered by revenue at risk."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def con(simulated_business):
    with duckdb.connect(str(simulated_business.serving_file), read_only=True) as connection:
        yield connection


def test_accounts_carry_the_p_alive_of_this_runs_forecasts(con):
    """The warehouse was built by one run from empty: a dbt step before the forecasts would find none."""
    compared = con.execute(
        "select count(*), count(forecasts.account_id), "
        "count(*) filter (where accounts.p_alive is not distinct from forecasts.p_alive) "
        "from marts.accounts left join marts.account_forecasts as forecasts using (account_id)"
    ).fetchone()
    total, forecast, equal = compared
    assert forecast > 0
    assert equal == total  # accounts without a purchase day: no forecast, null p_alive
    assert con.execute("select count(p_alive) from marts.accounts").fetchone()[0] == forecast


def test_key_accounts_and_the_follow_up_list_carry_the_revenue_at_risk(con):
    for mart in ("key_accounts", "at_risk_accounts"):
        differing = con.execute(
            f"select count(*) from marts.{mart} as m join marts.account_forecasts as f using (account_id) "
            "where m.revenue_at_risk is distinct from f.revenue_at_risk "
            "or m.p_alive is distinct from f.p_alive"
        ).fetchone()[0]
        assert differing == 0, mart
        assert con.execute(f"select count(revenue_at_risk) from marts.{mart}").fetchone()[0] > 0, mart


def test_the_follow_up_list_is_ordered_by_revenue_at_risk_and_keeps_the_revenue_order(con):
    rows = con.execute(
        "select follow_up_rank, revenue_at_stake_rank, coalesce(revenue_at_risk, -1), revenue_at_stake "
        "from marts.at_risk_accounts order by follow_up_rank"
    ).fetchall()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    at_risk = [r[2] for r in rows]
    assert at_risk == sorted(at_risk, reverse=True)
    by_stake = sorted(rows, key=lambda r: r[1])
    stakes = [r[3] for r in by_stake]
    assert stakes == sorted(stakes, reverse=True)
    # the two orders differ: revenue at risk is not the past revenue again
    assert [r[1] for r in rows] != sorted(r[1] for r in rows)
