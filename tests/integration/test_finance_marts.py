"""Retention and finance marts on a small business whose every figure is computed by hand below.

Settings: lost_after_days=60 (so a year and a half shows losses and win-backs), as-of 2024-06-30,
reporting currency EUR. Rates (units per 1 EUR): PLN 4.3 on 2024-02-10, USD 1.0823 on 2024-03-01.
An account is lost on its last purchase day + 61.

  A  buys 2024-01-10 (100 EUR); lost 03-11; buys 05-05 (50 EUR): won back.
  B  buys 2024-01-20 (300 EUR); credit note 02-05 (50 EUR, a later month); lost 03-21;
     credit note 04-10 (20 EUR) while lost: class lapsed.
  C  two currencies: buys 2024-02-10 (1000 PLN = 232.5581 EUR), 03-01 (200 USD = 184.7916 EUR); lost 05-01.
  D  first order 2024-02-15 cancelled 02-16, yet invoiced 02-15 (80 EUR) and credited 03-02 (80 EUR):
     class before_first_purchase; first purchase 04-03 (40 EUR), so its cohort is April; lost 06-03.
  E  a prospect (one call 2024-01-05).
  G  buys 2023-03-15 (100 EUR), lost 05-15, buys 2024-03-15 (150 EUR): won back; TTM expansion.
  H  buys 2023-04-10 (200 EUR), lost 06-10: TTM churn.
  I  buys 2023-05-05 (100 EUR), lost 07-05, buys 2024-05-06 (60 EUR): won back; TTM contraction.

The CRM's account master (account_updated) and contacts, for the by-attribute marts and the win-back:
  A  smb from 2023-12-01, enterprise from 2024-02-15: while active, so February moves it from smb to
     enterprise (one transfer out, one in).
  B  enterprise, owner REP-1; C smb, owner REP-2 (both from 2024-01-01); G mid_market from 2023-01-01;
     I only an industry; D and H nothing (unknown).
  H  called 2023-06-15, after its loss (06-10), never back; I called 2023-07-20 after its loss (07-05),
     back 2024-05-06. Q2 2023 (G, H lost) is the one loss quarter 12 months old at the as-of date.

All of it arrives in one export on 2024-06-01. Later a late invoice of C (25 EUR, booked 2024-03-20)
arrives on 2024-06-20 and restates the closed March.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from pipelines.cli import main
from pipelines.config.paths import WAREHOUSE_ENV, warehouse_paths
from tests.support.copies import use_copy_of
from tests.support.landing import write_jsonl

SETTINGS = ["--var", "lost_after_days=60", "--var", "as_of_date=2024-06-30"]
RATES = "rate_date,base_currency,currency,rate\n2024-02-10,EUR,PLN,4.3\n2024-03-01,EUR,USD,1.0823\n"

# account, date, type, amount, currency, order
SALES = [
    ("A", "2024-01-10", "order_placed", "100", "EUR", "A1"),
    ("A", "2024-01-10", "invoice_issued", "100", "EUR", "A1"),
    ("A", "2024-05-05", "order_placed", "50", "EUR", "A2"),
    ("A", "2024-05-05", "invoice_issued", "50", "EUR", "A2"),
    ("B", "2024-01-20", "order_placed", "300", "EUR", "B1"),
    ("B", "2024-01-20", "invoice_issued", "300", "EUR", "B1"),
    ("B", "2024-02-05", "credit_note_issued", "50", "EUR", "B1"),
    ("B", "2024-04-10", "credit_note_issued", "20", "EUR", "B1"),
    ("C", "2024-02-10", "order_placed", "1000", "PLN", "C1"),
    ("C", "2024-02-10", "invoice_issued", "1000", "PLN", "C1"),
    ("C", "2024-03-01", "order_placed", "200", "USD", "C2"),
    ("C", "2024-03-01", "invoice_issued", "200", "USD", "C2"),
    ("D", "2024-02-15", "order_placed", "80", "EUR", "D1"),
    ("D", "2024-02-15", "invoice_issued", "80", "EUR", "D1"),
    ("D", "2024-02-16", "order_cancelled", None, None, "D1"),
    ("D", "2024-03-02", "credit_note_issued", "80", "EUR", "D1"),
    ("D", "2024-04-03", "order_placed", "40", "EUR", "D2"),
    ("D", "2024-04-03", "invoice_issued", "40", "EUR", "D2"),
    ("G", "2023-03-15", "order_placed", "100", "EUR", "G1"),
    ("G", "2023-03-15", "invoice_issued", "100", "EUR", "G1"),
    ("G", "2024-03-15", "order_placed", "150", "EUR", "G2"),
    ("G", "2024-03-15", "invoice_issued", "150", "EUR", "G2"),
    ("H", "2023-04-10", "order_placed", "200", "EUR", "H1"),
    ("H", "2023-04-10", "invoice_issued", "200", "EUR", "H1"),
    ("I", "2023-05-05", "order_placed", "100", "EUR", "I1"),
    ("I", "2023-05-05", "invoice_issued", "100", "EUR", "I1"),
    ("I", "2024-05-06", "order_placed", "60", "EUR", "I2"),
    ("I", "2024-05-06", "invoice_issued", "60", "EUR", "I2"),
]
LATE_INVOICE = ("C", "2024-03-20", "invoice_issued", "25", "EUR", "C2")
# account, day, attributes set
CRM = [
    ("A", "2023-12-01", {"account_name": "Alpha", "segment": "smb", "region": "dach"}),
    ("A", "2024-02-15", {"segment": "enterprise"}),
    ("B", "2024-01-01", {"account_name": "Beta", "segment": "enterprise", "owner_rep_id": "REP-1"}),
    ("C", "2024-01-01", {"segment": "smb", "owner_rep_id": "REP-2", "employees": "40"}),
    ("G", "2023-01-01", {"segment": "mid_market"}),
    ("I", "2023-05-01", {"industry": "logistics"}),
]
# account, day, type
CONTACTS = [("E", "2024-01-05", "call"), ("H", "2023-06-15", "call"), ("I", "2023-07-20", "email")]


def sales_row(
    n: int, account: str, day: str, kind: str, amount: str | None, currency: str | None, order: str
):
    row = {
        "event_id": f"{account}-{n:02d}",
        "event_type": kind,
        "occurred_at": f"{day}T10:00:00Z",
        "account_id": account,
        "order_id": order,
    }
    if amount is not None:
        row |= {"amount": amount, "currency": currency}
    if kind != "order_placed" and kind != "order_cancelled":
        row["invoice_id"] = f"INV-{order}"
    return row


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("finance")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(WAREHOUSE_ENV, str(root / "warehouse"))
        mp.delenv("DAGSTER_HOME", raising=False)
        paths = warehouse_paths().ensure()
        rows = [sales_row(n, *event) for n, event in enumerate(SALES)]
        write_jsonl(paths.landing, "sales", "2024-06-01", "export.jsonl", rows)
        contact = [
            {"event_id": f"{a}-C{n}", "event_type": kind, "occurred_at": f"{day}T09:00:00Z", "account_id": a}
            for n, (a, day, kind) in enumerate(CONTACTS)
        ] + [
            {"event_id": f"{a}-U{n}", "event_type": "account_updated", "occurred_at": f"{day}T08:00:00Z"}
            | {"account_id": a, **attributes}
            for n, (a, day, attributes) in enumerate(CRM)
        ]
        write_jsonl(paths.landing, "contact", "2024-06-01", "export.jsonl", contact)
        (paths.landing / "fx_rates").mkdir()
        (paths.landing / "fx_rates" / "rates.csv").write_text(RATES)
        assert main(["run", "--quiet", "--no-record", *SETTINGS]) == 0
        yield paths


@pytest.fixture
def copy_of(built, tmp_path, monkeypatch):
    """A private copy of the built warehouse, for tests that change it."""
    return use_copy_of(built, tmp_path / "warehouse", monkeypatch)


def query(paths, sql, params=None):
    with duckdb.connect(str(paths.database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def m(text: str) -> date:
    return date.fromisoformat(text + "-01")


def test_rollforward_balances_by_hand(built):
    rows = query(
        built,
        "select month, opening_active, new_accounts, won_back_accounts, lost_accounts, closing_active "
        "from marts.customer_base_rollforward order by month",
    )
    expected = {
        m("2023-03"): (0, 1, 0, 0, 1),  # G
        m("2023-04"): (1, 1, 0, 0, 2),  # H
        m("2023-05"): (2, 1, 0, 1, 2),  # I new, G lost
        m("2023-06"): (2, 0, 0, 1, 1),  # H lost
        m("2023-07"): (1, 0, 0, 1, 0),  # I lost
        m("2024-01"): (0, 2, 0, 0, 2),  # A, B
        m("2024-02"): (2, 1, 0, 0, 3),  # C
        m("2024-03"): (3, 0, 1, 2, 2),  # G won back; A, B lost
        m("2024-04"): (2, 1, 0, 0, 3),  # D
        m("2024-05"): (3, 0, 2, 2, 3),  # A, I won back; C, G lost
        m("2024-06"): (3, 0, 0, 1, 2),  # D lost
    }
    got = {r[0]: r[1:] for r in rows}
    assert rows[0][0] == m("2023-03")  # every month from the first event to the as-of month
    assert len(rows) == 16
    for month in (m("2023-08"), m("2023-12")):
        assert got[month] == (0, 0, 0, 0, 0)
    assert {k: got[k] for k in expected} == expected


def test_cohorts_by_hand(built):
    rows = query(
        built,
        "select period_grain, cohort, period_number, cohort_size, active_accounts, retained_accounts, "
        "revenue, cumulative_revenue, is_complete from marts.cohort_retention "
        "where cohort >= date '2024-01-01' order by period_grain, cohort, period_number",
    )
    d = Decimal
    expected = [
        ("month", m("2024-01"), 0, 2, 2, 2, d("400"), d("400"), True),
        ("month", m("2024-01"), 1, 2, 0, 2, d("-50"), d("350"), True),  # B's credit note
        ("month", m("2024-01"), 2, 2, 0, 0, d("0"), d("350"), True),  # both lost in March
        ("month", m("2024-01"), 3, 2, 0, 0, d("-20"), d("330"), True),  # B's credit while lost
        ("month", m("2024-01"), 4, 2, 1, 1, d("50"), d("380"), True),  # A won back
        ("month", m("2024-01"), 5, 2, 0, 1, d("0"), d("380"), True),
        ("month", m("2024-02"), 0, 1, 1, 1, d("232.5581"), d("232.5581"), True),  # 1000 PLN / 4.3
        ("month", m("2024-02"), 1, 1, 1, 1, d("184.7916"), d("417.3497"), True),  # 200 USD / 1.0823
        ("month", m("2024-02"), 2, 1, 0, 1, d("0"), d("417.3497"), True),
        ("month", m("2024-02"), 3, 1, 0, 0, d("0"), d("417.3497"), True),  # lost 05-01
        ("month", m("2024-02"), 4, 1, 0, 0, d("0"), d("417.3497"), True),
        ("month", m("2024-04"), 0, 1, 1, 1, d("40"), d("40"), True),  # D: cancelled first order
        ("month", m("2024-04"), 1, 1, 0, 1, d("0"), d("40"), True),
        ("month", m("2024-04"), 2, 1, 0, 0, d("0"), d("40"), True),  # lost 06-03
        ("quarter", m("2024-01"), 0, 3, 3, 1, d("767.3497"), d("767.3497"), True),  # A, B, C; only C buying
        ("quarter", m("2024-01"), 1, 3, 1, 1, d("30"), d("797.3497"), True),  # A back; B -20
        ("quarter", m("2024-04"), 0, 1, 1, 0, d("40"), d("40"), True),
    ]
    assert rows == expected
    # G's cohort a year on: bought again in its period 12
    g = query(
        built,
        "select active_accounts, retained_accounts, revenue from marts.cohort_retention "
        "where period_grain = 'month' and cohort = date '2023-03-01' and period_number = 12",
    )
    assert g == [(1, 1, Decimal("150"))]
    # nothing after the as-of period
    assert query(built, "select max(period_start) from marts.cohort_retention") == [(m("2024-06"),)]


def test_lost_revenue_by_hand(built):
    """What each loss takes away: the revenue of the account's last year as a customer (12 months before
    its last purchase day until the loss), loss by loss and per month in the roll-forward."""
    d = Decimal
    losses = query(
        built,
        "select account_id, changed_on, lost_ttm_revenue from marts.lifecycle_transitions "
        "where to_stage = 'lost' order by 2, 1",
    )
    assert losses == [
        ("G", date(2023, 5, 15), d("100")),
        ("H", date(2023, 6, 10), d("200")),
        ("I", date(2023, 7, 5), d("100")),
        ("A", date(2024, 3, 11), d("100")),
        ("B", date(2024, 3, 21), d("250")),  # 300 less its February credit; the April one came after
        ("C", date(2024, 5, 1), d("417.3497")),
        ("G", date(2024, 5, 15), d("150")),  # its first year's purchase lies 12 months before the last
        ("D", date(2024, 6, 3), d("40")),  # the cancelled first order's invoice and credit net to 0
    ]
    assert query(
        built,
        "select count(*) from marts.lifecycle_transitions "
        "where to_stage <> 'lost' and lost_ttm_revenue is not null",
    ) == [(0,)]
    monthly = dict(query(built, "select month, lost_ttm_revenue from marts.customer_base_rollforward"))
    assert (monthly[m("2024-03")], monthly[m("2024-05")], monthly[m("2024-04")]) == (
        d("350"),
        d("567.3497"),
        0,
    )
    # cohort revenue retention: revenue in the period over period 0's
    rates = query(
        built,
        "select period_number, revenue_retention_rate from marts.cohort_retention "
        "where period_grain = 'month' and cohort = date '2024-01-01' order by 1",
    )
    assert rates == [(0, 1.0), (1, -0.125), (2, 0.0), (3, -0.05), (4, 0.125), (5, 0.0)]


def test_account_attributes_history_by_hand(built):
    rows = query(
        built,
        "select account_id, valid_from, valid_to, account_name, segment, region, owner_rep_id, employees "
        "from marts.account_attributes_history order by all",
    )
    assert rows == [
        ("A", date(2023, 12, 1), date(2024, 2, 15), "Alpha", "smb", "dach", None, None),
        ("A", date(2024, 2, 15), None, "Alpha", "enterprise", "dach", None, None),  # the rest carried on
        ("B", date(2024, 1, 1), None, "Beta", "enterprise", None, "REP-1", None),
        ("C", date(2024, 1, 1), None, None, "smb", None, "REP-2", 40),
        ("G", date(2023, 1, 1), None, None, "mid_market", None, None, None),
        ("I", date(2023, 5, 1), None, None, None, None, None, None),
    ]
    # the current values on the account lists; an account_updated is no contact and no account of its own
    assert query(
        built, "select account_id, account_name, segment, owner_rep_id from marts.accounts order by 1"
    ) == [
        ("A", "Alpha", "enterprise", None),
        ("B", "Beta", "enterprise", "REP-1"),
        ("C", None, "smb", "REP-2"),
        ("D", None, None, None),
        ("E", None, None, None),
        ("G", None, "mid_market", None),
        ("H", None, None, None),
        ("I", None, None, None),
    ]
    assert query(built, "select last_contact_date from marts.accounts where account_id = 'A'") == [(None,)]


def test_a_segment_change_of_an_active_account_is_one_transfer_out_and_one_in(built):
    rows = query(
        built,
        "select month, attribute_value, opening_active, new_accounts, won_back_accounts, lost_accounts, "
        "transferred_in, transferred_out, closing_active from marts.customer_base_rollforward_by_attribute "
        "where attribute = 'segment' and month between date '2024-01-01' and date '2024-03-01' "
        "and opening_active + new_accounts + won_back_accounts + transferred_in + closing_active > 0 "
        "order by all",
    )
    assert rows == [
        (m("2024-01"), "enterprise", 0, 1, 0, 0, 0, 0, 1),  # B
        (m("2024-01"), "smb", 0, 1, 0, 0, 0, 0, 1),  # A
        (m("2024-02"), "enterprise", 1, 0, 0, 0, 1, 0, 2),  # A arrives
        (m("2024-02"), "smb", 1, 1, 0, 0, 0, 1, 1),  # C new, A leaves
        (m("2024-03"), "enterprise", 2, 0, 0, 2, 0, 0, 0),  # A and B lost
        (m("2024-03"), "mid_market", 0, 0, 1, 0, 0, 0, 1),  # G won back
        (m("2024-03"), "smb", 1, 0, 0, 0, 0, 0, 1),
    ]
    # no other transfer in any month or attribute: A's is the one change while active
    assert query(
        built,
        "select attribute, sum(transferred_in), sum(transferred_out) "
        "from marts.customer_base_rollforward_by_attribute group by 1 order by 1",
    ) == [("industry", 0, 0), ("owner_rep_id", 0, 0), ("region", 0, 0), ("segment", 1, 1)]


def test_cohorts_by_attribute_take_the_value_at_the_first_purchase(built):
    rows = query(
        built,
        "select attribute_value, cohort_size, active_accounts, retained_accounts, revenue "
        "from marts.cohort_retention_by_attribute where attribute = 'segment' and period_grain = 'quarter' "
        "and cohort = date '2024-01-01' and period_number = 0 order by 1",
    )
    # A was smb on its first purchase day (01-10) and stays in smb's cohort after its move
    assert rows == [("enterprise", 1, 1, 0, Decimal("250")), ("smb", 2, 2, 1, Decimal("517.3497"))]


def test_rep_scorecard_and_win_back_by_hand(built):
    rep2 = query(
        built,
        "select quarter, accounts_owned_at_start, accounts_lost, owned_retention_rate, retained_revenue "
        "from marts.rep_scorecard where rep_id = 'REP-2' order by 1",
    )
    # C is REP-2's from 2024-01-01: new in Q1 (no book yet), in the book at Q2's start, lost 05-01
    assert rep2 == [(m("2024-01"), 0, 0, None, Decimal("0")), (m("2024-04"), 1, 1, 0.0, Decimal("0"))]
    funnel = query(
        built,
        "select scope, quarter_of_loss, lost_accounts, contacted_after_loss, won_back_contacted, "
        "won_back_not_contacted, win_back_rate_contacted, win_back_rate_not_contacted, rate_ratio, "
        "rate_ratio_ci_low, is_complete from marts.win_back_funnel order by 1, 2",
    )
    assert funnel == [
        ("complete_quarters", None, 2, 1, 0, 1, 0.0, 1.0, 0.0, None, True),
        ("quarter", m("2023-04"), 2, 1, 0, 1, 0.0, 1.0, 0.0, None, True),  # G back, H called, not back
        ("quarter", m("2023-07"), 1, 1, 1, 0, 1.0, None, None, None, False),  # I called, back
        ("quarter", m("2024-01"), 2, 0, 0, 1, None, 0.5, None, None, False),  # A back, B not
        ("quarter", m("2024-04"), 3, 0, 0, 0, None, 0.0, None, None, False),  # C, G (again), D
    ]


def test_ledger_by_hand(built):
    rows = query(
        built,
        "select month, currency, invoiced, credited, net_revenue, net_revenue_reporting "
        "from marts.revenue_ledger where month >= date '2024-01-01' order by month, currency",
    )
    d = Decimal
    assert rows == [
        (m("2024-01"), "EUR", d("400"), d("0"), d("400"), d("400")),
        (m("2024-02"), "EUR", d("80"), d("50"), d("30"), d("30")),
        (m("2024-02"), "PLN", d("1000"), d("0"), d("1000"), d("232.5581")),
        (m("2024-03"), "EUR", d("150"), d("80"), d("70"), d("70")),
        (m("2024-03"), "USD", d("200"), d("0"), d("200"), d("184.7916")),
        (m("2024-04"), "EUR", d("40"), d("20"), d("20"), d("20")),
        (m("2024-05"), "EUR", d("110"), d("0"), d("110"), d("110")),
    ]


def test_revenue_by_lifecycle_by_hand(built):
    rows = query(
        built,
        "select month, currency, revenue_class, accounts, revenue, revenue_reporting "
        "from marts.revenue_by_lifecycle where month >= date '2024-01-01' "
        "order by month, currency, revenue_class",
    )
    d = Decimal
    assert rows == [
        (m("2024-01"), "EUR", "new", 2, d("400"), d("400")),
        (m("2024-02"), "EUR", "before_first_purchase", 1, d("80"), d("80")),  # D, order cancelled
        (m("2024-02"), "EUR", "retained", 1, d("-50"), d("-50")),  # B's credit note
        (m("2024-02"), "PLN", "new", 1, d("1000"), d("232.5581")),
        (m("2024-03"), "EUR", "before_first_purchase", 1, d("-80"), d("-80")),
        (m("2024-03"), "EUR", "won_back", 1, d("150"), d("150")),  # G
        (m("2024-03"), "USD", "retained", 1, d("200"), d("184.7916")),  # C
        (m("2024-04"), "EUR", "lapsed", 1, d("-20"), d("-20")),  # B, lost
        (m("2024-04"), "EUR", "new", 1, d("40"), d("40")),  # D
        (m("2024-05"), "EUR", "won_back", 2, d("110"), d("110")),  # A, I
    ]


def test_revenue_retention_by_hand(built):
    rows = query(
        built,
        "select month, base_accounts, base_ttm_revenue, expansion, contraction, churned, "
        "retained_ttm_revenue, "
        "new_ttm_revenue, won_back_ttm_revenue, other_ttm_revenue, total_ttm_revenue, nrr, grr "
        "from marts.revenue_retention where month in (date '2024-02-01', date '2024-05-01') order by month",
    )
    d = Decimal
    assert rows == [
        # no revenue a year earlier; D's invoice ahead of its first purchase is "other"
        (m("2024-02"), 0, d("0"), d("0"), d("0"), d("0"), d("0"),
         d("982.5581"), d("0"), d("80"), d("1062.5581"), None, None),
        # base G 100, H 200, I 100 -> G 150 (+50), H 0 (churned 200), I 60 (-40)
        (m("2024-05"), 3, d("400"), d("50"), d("40"), d("200"), d("210"),
         d("837.3497"), d("0"), d("0"), d("1047.3497"), 0.525, 0.4),
    ]  # fmt: skip


def test_account_months_by_hand(built):
    rows = query(
        built,
        "select month, stage_at_month_end, n_purchase_days, n_orders, revenue from marts.account_months "
        "where account_id = 'D' order by month",
    )
    d = Decimal
    assert rows == [
        (m("2024-02"), "prospect", 0, 0, d("80")),
        (m("2024-03"), "prospect", 0, 0, d("-80")),
        (m("2024-04"), "first_buyer", 1, 1, d("40")),
        (m("2024-05"), "first_buyer", 0, 0, d("0")),
        (m("2024-06"), "lost", 0, 0, d("0")),
    ]
    assert query(built, "select count(*) from marts.account_months where account_id = 'E'") == [(6,)]


def test_close_month_publishes_refuses_and_lists_restatements(copy_of, capsys):
    paths = copy_of
    assert main(["close-month", "2024-03"]) == 0
    assert main(["close-month", "2024-03"]) == 1
    assert "was closed on" in capsys.readouterr().err
    assert main(["close-month", "2024-07"]) == 1  # after the as-of date
    closes = query(paths, "select month, version, arrival_cutoff, figures from finance.month_closes")
    # ledger 2 currencies x 6 + 3 classes x 3 + roll-forward 5 + retention 10
    assert closes == [(m("2024-03"), 1, date(2024, 6, 1), 36)]

    # a late invoice of March arrives in June
    write_jsonl(paths.landing, "sales", "2024-06-20", "late.jsonl", [sales_row(99, *LATE_INVOICE)])
    assert main(["run", "--quiet", "--no-record", *SETTINGS]) == 0
    restated = query(
        paths,
        "select figure_key, published_value, current_value, difference, late_events, late_event_ids "
        "from marts.restatements order by figure_key",
    )
    d = Decimal
    late = (1, "C-99")
    assert restated == [
        ("revenue_by_lifecycle.accounts.EUR.retained", None, d("1"), d("1"), *late),
        ("revenue_by_lifecycle.revenue.EUR.retained", None, d("25"), d("25"), *late),
        ("revenue_by_lifecycle.revenue_reporting.EUR.retained", None, d("25"), d("25"), *late),
        ("revenue_ledger.invoiced.EUR", d("150"), d("175"), d("25"), *late),
        ("revenue_ledger.invoiced_reporting.EUR", d("150"), d("175"), d("25"), *late),
        ("revenue_ledger.net_revenue.EUR", d("70"), d("95"), d("25"), *late),
        ("revenue_ledger.net_revenue_reporting.EUR", d("70"), d("95"), d("25"), *late),
        # March's window is 2023-04 .. 2024-03; C is outside the base (no revenue a year earlier): new
        ("revenue_retention.new_ttm_revenue", d("1067.3497"), d("1092.3497"), d("25"), *late),
        ("revenue_retention.total_ttm_revenue", d("1217.3497"), d("1242.3497"), d("25"), *late),
    ]
    # the published figures never change
    assert query(
        paths,
        "select value from finance.published_figures where figure_key = 'revenue_ledger.net_revenue.EUR'",
    ) == [(d("70"),)]

    capsys.readouterr()
    assert main(["close-month", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "2024-03" in listing
    assert "2024-06-01" in listing
    assert listing.split("2024-03", 1)[1].split()[4:6] == ["36", "9"]  # figures, restated now

    # finance signs off on the restated month: a new version, and nothing is restated against it
    assert main(["close-month", "2024-03", "--reopen"]) == 0
    assert main(["run", "--quiet", "--no-record", *SETTINGS]) == 0
    assert query(paths, "select count(*) from marts.restatements") == [(0,)]
    assert query(paths, "select version, arrival_cutoff from finance.month_closes order by version") == [
        (1, date(2024, 6, 1)),
        (2, date(2024, 6, 20)),
    ]


# One cent or one account off in one month of one mart; the check that must catch it, and what it says.
BREAKAGES = [
    (
        "revenue_by_lifecycle",
        "assert_revenue_by_lifecycle_reconciles_to_ledger",
        "update marts.revenue_by_lifecycle set revenue_reporting = revenue_reporting + 0.01 "
        "where month = date '2024-03-01' and currency = 'USD'",
        "revenue_reporting vs revenue_ledger net_revenue_reporting at 2024-03-01: 254.8016 <> 254.7916",
    ),
    (
        "customer_base_rollforward",
        "assert_rollforward_balances",
        "update marts.customer_base_rollforward set lost_accounts = lost_accounts - 1 "
        "where month = date '2024-05-01'",
        "opening + new + won_back - lost vs closing_active at 2024-05-01: 4 <> 3",
    ),
    (
        "cohort_retention",
        "assert_cohorts_reconcile",
        "update marts.cohort_retention set cohort_size = cohort_size + 1 "
        "where period_grain = 'month' and cohort = date '2024-02-01' and period_number = 0",
        "monthly cohort_size vs new_accounts at 2024-02-01: 2 <> 1",
    ),
    (
        "account_months",
        "assert_account_months_reconcile_to_ledger",
        "update marts.account_months set revenue = revenue - 0.01 "
        "where account_id = 'C' and month = date '2024-02-01'",
        "account_months revenue vs revenue_ledger at 2024-02-01: 262.5481 <> 262.5581",
    ),
    (
        "revenue_retention",
        "assert_revenue_retention_bridge_holds",
        "update marts.revenue_retention set churned = churned + 0.01 where month = date '2024-05-01'",
        "base + expansion - contraction - churned vs retained_ttm_revenue at 2024-05-01: "
        "209.9900 <> 210.0000",
    ),
    (
        "customer_base_rollforward",
        "assert_lost_revenue_reconciles",
        "update marts.customer_base_rollforward set lost_ttm_revenue = lost_ttm_revenue + 1 "
        "where month = date '2024-03-01'",
        "lost_ttm_revenue vs the losses in lifecycle_transitions at 2024-03-01: 351.0000 <> 350.0000",
    ),
    (
        "cohort_retention_by_attribute",
        "assert_cohort_retention_by_attribute_sums_to_parent",
        "update marts.cohort_retention_by_attribute set retained_accounts = retained_accounts + 1 "
        "where attribute = 'region' and attribute_value = 'dach' and period_grain = 'month' "
        "and cohort = date '2024-01-01' and period_number = 1",
        "retained_accounts summed over the values vs cohort_retention at region month 2024-01-01 1: 3 <> 2",
    ),
    (
        "customer_base_rollforward_by_attribute",
        "assert_rollforward_by_attribute_balances",
        "update marts.customer_base_rollforward_by_attribute set transferred_out = transferred_out + 1 "
        "where attribute = 'industry' and attribute_value = 'unknown' and month = date '2024-02-01'",
        "opening + new + won_back - lost + transferred_in - transferred_out vs closing_active at industry "
        "unknown 2024-02-01: 2 <> 3",
    ),
    (
        "customer_base_rollforward_by_attribute",
        "assert_rollforward_by_attribute_sums_to_parent",
        "select 1",  # the breakages of customer_base_rollforward above; the first failure in order:
        "lost_accounts summed over the values vs customer_base_rollforward at industry 2024-05-01: 2 <> 1",
    ),
    (
        "revenue_retention_by_attribute",
        "assert_revenue_retention_by_attribute_sums_to_parent",
        "update marts.revenue_retention_by_attribute set expansion = expansion + 0.01 "
        "where attribute = 'segment' and attribute_value = 'mid_market' and month = date '2024-03-01'",
        "expansion summed over the values vs revenue_retention at segment 2024-03-01: 50.0100 <> 50.0000",
    ),
]


def run_checks(paths, checks: list[tuple[str, str]]) -> dict:
    """Run dbt tests through Dagster, as the asset checks of their marts (nothing is materialized), in one
    run; each check's evaluation by name."""
    import dagster as dg

    from pipelines.config.lifecycle import settings_from
    from pipelines.dbt.project import prepare_manifest
    from pipelines.runner import run_config

    prepare_manifest()
    from pipelines.definitions import defs

    keys = [dg.AssetCheckKey(dg.AssetKey(["marts", model]), check) for model, check in checks]
    assets = {id(a): a for a in (defs.resolve_assets_def(k.asset_key) for k in keys)}
    settings = settings_from({"lost_after_days": "60", "as_of_date": "2024-06-30"})
    config = run_config(paths, settings, "WARNING")
    ops = {a.node_def.name for a in assets.values()}  # the run has the steps of these checks alone
    config["ops"] = {op: op_config for op, op_config in config["ops"].items() if op in ops}
    result = dg.materialize(
        list(assets.values()),
        selection=dg.AssetSelection.checks(*keys),
        run_config=config,
        raise_on_error=False,
    )
    assert not result.get_asset_materialization_events()
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_each_reconciliation_check_fails_with_error_severity_on_a_broken_mart(copy_of):
    """Each mart broken in one place at once (the breakages touch different marts and figures); every
    check then fails, as an ERROR, naming the figure. One Dagster run: a dbt invocation per check would
    repeat dbt's start-up five times for nothing."""
    import dagster as dg

    from pipelines.runner import stored_failures

    # the honest fixture reconciles: the build that made it passed every check
    with duckdb.connect(str(copy_of.database)) as con:
        for _, _, breakage, _ in BREAKAGES:
            con.execute(breakage)
    evaluations = run_checks(copy_of, [(model, check) for model, check, _, _ in BREAKAGES])
    assert sorted(evaluations) == sorted(check for _, check, _, _ in BREAKAGES)
    for _, check, _, message in BREAKAGES:
        assert not evaluations[check].passed, check
        assert evaluations[check].severity == dg.AssetCheckSeverity.ERROR, check
        failures = stored_failures(copy_of, check)
        assert any(message in row for row in failures), (check, failures)


def test_a_close_is_refused_while_the_marts_are_older_than_the_latest_load(copy_of, capsys):
    # a late PLN invoice without its rate: the load succeeds, the build stops on the missing rate
    late = ("C", "2024-03-20", "invoice_issued", "100", "PLN", "C2")
    write_jsonl(copy_of.landing, "sales", "2024-06-20", "late.jsonl", [sales_row(98, *late)])
    assert main(["run", "--quiet", "--no-record", *SETTINGS]) == 1
    assert "Missing FX rate for PLN on 2024-03-20" in capsys.readouterr().out
    assert main(["close-month", "2024-03"]) == 1
    assert "after the marts were built" in capsys.readouterr().err
    assert query(copy_of, "select count(*) from finance.month_closes") == [(0,)]


def test_close_month_needs_a_month_or_list(copy_of, capsys):
    assert main(["close-month"]) == 2
    assert main(["close-month", "March"]) == 2
    assert "not a month (YYYY-MM): 'March'" in capsys.readouterr().err
    assert main(["close-month", "--list"]) == 0
    assert "no month is closed" in capsys.readouterr().out


def test_status_shows_days_rows_publication_and_closed_months(copy_of, capsys):
    assert main(["close-month", "2024-03"]) == 0
    write_jsonl(copy_of.landing, "sales", "2024-06-20", "late.jsonl", [sales_row(99, *LATE_INVOICE)])
    capsys.readouterr()
    assert main(["status", "--warehouse", str(copy_of.root)]) == 0
    out = capsys.readouterr().out
    sales = next(line for line in out.splitlines() if line.strip().startswith("sales "))
    assert sales.split()[1:] == [
        "2",
        "(2024-06-01",
        "..",
        "2024-06-20)",
        "1",
        "(2024-06-01",
        "..",
        "2024-06-01)",
        "1",
    ]
    assert "marts.revenue_ledger" in out
    assert "(as of 2024-06-30)" in out
    assert "closed months: 2024-03" in out
