"""Driver bands, observations and the accounts' risk signals on hand-made edge cases.

As-of 2024-12-31, so 2024-01-01 is the last quarter start whose 12 outcome months have elapsed; the
driver window of that quarter is [2023-01-01, 2024-01-01). SLA 7 days, post-sale 90 days, discount above
8% high, payment late after 7 days.

  N   buys every quarter of 2023, nothing else: no tickets, no ratings, no contacts; lost 2024-12-01.
  O1  a complaint opened 2023-12-20 still open at the quarter start (12 days > SLA): unresolved.
  O2  a complaint opened 2023-12-28 still open at the quarter start (4 days): within_sla, not late yet.
  S   a complaint resolved after 19 days: slow; ratings 3 and 2 (mean 2.5 rounds up): mid; 2 persons.
  W   a complaint resolved after 2 days: within_sla; rating 5: high; 4 persons.
  Y   first buys 2023-11-15, less than the look-back window before the quarter: 10% discount (high),
      paid 21 days after the due date (late), a contact 5 days after the purchase (post-sale yes).
  G1  buys 2024-06-01 and 2024-07-01: one gap of 30 days, 183 days ago: at risk (factor 2).
  G2  buys 2024-11-01 and 2024-12-01: one gap of 30 days, 30 days ago: not at risk.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from pipelines.cli import main
from pipelines.config.paths import WAREHOUSE_ENV, warehouse_paths
from tests.support.landing import write_jsonl

Q = date(2024, 1, 1)


class Events:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {"sales": [], "service": [], "contact": []}

    def add(self, stream: str, account: str, day: str, kind: str, **fields: object) -> None:
        n = len(self.rows[stream])
        self.rows[stream].append(
            {
                "event_id": f"{stream}-{n}",
                "event_type": kind,
                "occurred_at": f"{day}T10:00:00Z",
                "account_id": account,
                **{k: str(v) for k, v in fields.items()},
            }
        )

    def purchase(
        self,
        account: str,
        day: str,
        amount: str = "100",
        discount: str = "0",
        terms: int = 14,
        paid: str = "",
    ) -> None:
        """An order, its invoice, and its payment on `paid` (default: the same day, on time)."""
        order = f"{account}-{day}"
        money = {"amount": amount, "currency": "EUR", "discount_amount": discount}
        self.add("sales", account, day, "order_placed", order_id=order, **money)
        invoice = {"order_id": order, "invoice_id": order, "payment_terms_days": terms}
        self.add("sales", account, day, "invoice_issued", **invoice, **money)
        self.pay(account, paid or day, order, amount)

    def pay(self, account: str, day: str, invoice: str, amount: str = "100") -> None:
        self.add(
            "sales",
            account,
            day,
            "payment_received",
            order_id=invoice,
            invoice_id=invoice,
            amount=amount,
            currency="EUR",
        )

    def complaint(self, account: str, ticket: str, opened: str, resolved: str | None = None) -> None:
        self.add(
            "service",
            account,
            opened,
            "ticket_opened",
            ticket_id=ticket,
            category="complaint",
            severity="normal",
        )
        if resolved:
            self.add("service", account, resolved, "ticket_resolved", ticket_id=ticket)

    def rating(self, account: str, ticket: str, day: str, score: int) -> None:
        self.add("service", account, day, "satisfaction_rated", ticket_id=ticket, csat_score=score)

    def contact(self, account: str, day: str, person: str) -> None:
        self.add("contact", account, day, "call", contact_person_id=person, direction="outbound")


def business() -> Events:
    e = Events()
    for day in ("2023-03-01", "2023-06-01", "2023-09-01", "2023-12-01"):
        e.purchase("N", day, terms=0)
    for account, opened in (("O1", "2023-12-20"), ("O2", "2023-12-28")):
        e.purchase(account, "2023-06-01")
        e.complaint(account, f"{account}-t", opened, resolved="2024-01-05")
        e.contact(account, "2023-07-01", f"{account}-p1")
    e.purchase("S", "2023-06-01")
    e.complaint("S", "S-t", "2023-08-01", resolved="2023-08-20")
    e.rating("S", "S-t", "2023-08-21", 3)
    e.rating("S", "S-t", "2023-08-22", 2)
    for person in ("a", "b"):
        e.contact("S", "2023-06-10", f"S-{person}")
    e.purchase("W", "2023-06-01")
    e.complaint("W", "W-t", "2023-08-01", resolved="2023-08-03")
    e.rating("W", "W-t", "2023-08-04", 5)
    for person in ("a", "b", "c", "d"):
        e.contact("W", "2023-05-01", f"W-{person}")
    e.purchase("Y", "2023-11-15", amount="90", discount="10", terms=14, paid="2023-12-20")  # due 11-29
    e.contact("Y", "2023-11-20", "Y-p1")
    e.purchase("G1", "2024-06-01")
    e.purchase("G1", "2024-07-01")
    e.purchase("G2", "2024-11-01", amount="300")
    e.purchase("G2", "2024-12-01", amount="300")
    e.contact("P", "2024-10-01", "P-p1")  # a prospect: known, never bought
    return e


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = tmp_path_factory.mktemp("bands")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(WAREHOUSE_ENV, str(root / "warehouse"))
        mp.delenv("DAGSTER_HOME", raising=False)
        paths = warehouse_paths().ensure()
        for stream, rows in business().rows.items():
            write_jsonl(paths.landing, stream, "2025-01-02", "export.jsonl", rows)
        assert main(["run", "--quiet", "--no-record", "--var", "as_of_date=2024-12-31"]) == 0
        with duckdb.connect(str(paths.database), read_only=True) as connection:
            yield connection


def test_observations_stop_at_the_last_quarter_with_a_full_outcome_year(con):
    rows = con.execute(
        "select account_id, quarter_start, became_lost from intermediate.int_account_quarters_observed "
        "order by account_id, quarter_start"
    ).fetchall()
    observed = {(a, q): lost for a, q, lost in rows}
    assert max(q for _, q in observed) == Q  # 2024-04-01's outcome year ends after the as-of date
    # N buys through 2023 and is lost on 2023-12-01 + 366 days: lost within the year after 2024-01-01 only
    assert [(q, observed[("N", q)]) for q in sorted(q for a, q in observed if a == "N")] == [
        (date(2023, 4, 1), 0),
        (date(2023, 7, 1), 0),
        (date(2023, 10, 1), 0),
        (Q, 1),
    ]
    # Y first bought 2023-11-15: observed from the next quarter start only
    assert [q for a, q in observed if a == "Y"] == [Q]
    # G1 and G2 start buying in 2024: no quarter of theirs has a full outcome year
    assert not [a for a, _ in observed if a.startswith("G")]


def test_bands_at_the_quarter_start(con):
    rows = con.execute(
        "select account_id, complaint_handling, csat, contact_persons_band, post_sale_contact, discount, "
        "payment "
        "from intermediate.int_driver_signals_measured where measured_on = $q order by account_id",
        {"q": Q},
    ).fetchall()
    assert rows == [
        ("N", "none", "unrated", "none", "no", "none", "on_time"),
        ("O1", "unresolved", "unrated", "1", "yes", "none", "on_time"),
        ("O2", "within_sla", "unrated", "1", "yes", "none", "on_time"),
        ("S", "slow", "mid", "2-3", "yes", "none", "on_time"),
        ("W", "within_sla", "high", "4+", "no", "none", "on_time"),
        ("Y", "none", "unrated", "1", "yes", "high", "late"),
    ]


def test_churn_drivers_count_the_observations(con):
    rows = con.execute(
        "select band, observations, lost, loss_rate, baseline_loss_rate, relative_risk "
        "from marts.churn_drivers where driver = 'complaint_handling' order by band"
    ).fetchall()
    # observations: N at 4 quarter starts; O1, O2, S, W at 2023-07, 2023-10, 2024-01; Y at 2024-01: 17.
    # Lost within the year after: N only after 2024-01-01 (lost 2024-12-01); O1, O2, S, W (one purchase,
    # 2023-06-01, lost 2024-06-01) after each of their three; Y (lost 2024-11-15): 1 + 12 + 1 = 14.
    base = 14 / 17
    expected = {
        # no complaint in the window: N x4; O1, O2 at 2023-07 and 2023-10 (theirs are opened in December);
        # S, W at 2023-07 (theirs are opened 2023-08-01); Y
        "none": (4 + 2 + 2 + 1 + 1 + 1, 1 + 2 + 2 + 1 + 1 + 1),
        "slow": (2, 2),  # S at 2023-10 and 2024-01
        "unresolved": (1, 1),  # O1 at 2024-01
        "within_sla": (3, 3),  # O2 at 2024-01 (open, 4 days old), W at 2023-10 and 2024-01
    }
    got = {band: (n, lost) for band, n, lost, *_ in rows}
    assert got == expected
    for band, n, lost, rate, baseline, rr in rows:
        assert rate == pytest.approx(lost / n)
        assert baseline == pytest.approx(base)
        assert rr == pytest.approx((lost / n) / base), band


def test_accounts_signals_at_risk_and_key_accounts(con):
    accounts = {
        r[0]: r[1:]
        for r in con.execute(
            "select account_id, current_stage, at_risk, expected_gap_days, single_contact_person, "
            "post_sale_contact from marts.accounts"
        ).fetchall()
    }
    # one gap between purchase days is the account's rhythm: G1 is 183 days past a 30-day gap
    assert accounts["G1"] == ("repeat", True, 30.0, False, "no")
    assert accounts["G2"] == ("repeat", False, 30.0, False, "no")
    # an account that never bought has no rhythm to be overdue against (not the first buyers' one)
    assert accounts["P"][:3] == ("prospect", False, None)
    at_risk = con.execute(
        "select follow_up_rank, account_id, revenue_at_stake, overdue_days, reasons "
        "from marts.at_risk_accounts"
    ).fetchall()
    assert at_risk == [
        (
            1,
            "G1",
            Decimal("200"),
            183 - 60,
            "no purchase for 183 days (usually every 30 days); no contact after purchases",
        )
    ]
    keys = con.execute(
        "select account_id, revenue_rank, ttm_revenue, cumulative_share, is_key_account "
        "from marts.key_accounts "
        "order by revenue_rank"
    ).fetchall()
    assert keys == [("G2", 1, Decimal("600"), 0.75, True), ("G1", 2, Decimal("200"), 1.0, False)]
    curve = dict(
        con.execute("select percent_of_accounts, revenue_share from marts.revenue_concentration").fetchall()
    )
    assert len(curve) == 100
    assert curve[1] == curve[50] == 0.75
    assert curve[51] == curve[100] == 1.0
