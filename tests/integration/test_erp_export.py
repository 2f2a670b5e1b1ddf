"""A company's own ERP export, imported day after day as a new user would.

The file: 2,000 orders of 300 customers over two years, `order_no;customer_no;date;amount;currency`,
amounts with a decimal comma and thousands points (`1.067,42`), day-first dates (`31.12.2024`), and 77
refunds as negative amounts against earlier orders. Tomorrow's export is cumulative: under a new name,
its old rows shuffled, 100 rows more. Each import must count every order once.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.contract import STREAMS
from pipelines.raw.loader import load_days
from pipelines.serving.summary import summary_lines

pytestmark = pytest.mark.integration

HEADER = "order_no;customer_no;date;amount;currency"
IMPORT = [
    "import-csv",
    "--delimiter",
    ";",
    "--decimal-comma",
    "--date-format",
    "%d.%m.%Y",
    "--map",
    "order_no=order_id",
    "--map",
    "customer_no=account_id",
    "--map",
    "date=occurred_at",
    "--map",
    "amount=amount",
    "--map",
    "currency=currency",
]


def decimal_comma(value: Decimal) -> str:
    """1067.42 -> 1.067,42, as the ERP writes it."""
    sign, whole, cents = "-" if value < 0 else "", *f"{abs(value):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return f"{sign}{'.'.join([whole, *groups])},{cents}"


def erp_rows(
    rng: random.Random, orders: int, refunds: int, first_order: int, start: date, days: int
) -> list[dict]:
    """Sales, then refunds of some of them (negative, a few weeks later, under the sale's order number)."""
    sales = []
    for n in range(orders):
        amount = Decimal(rng.randrange(1_000, 500_000)) / 100  # 10.00 .. 4,999.99
        sales.append(
            {
                "order_no": f"A{first_order + n}",
                "customer_no": f"K{rng.randrange(300):04d}",
                "date": start + timedelta(days=rng.randrange(days)),
                "amount": amount,
            }
        )
    refunded = rng.sample(sales, refunds)
    credits = [
        {
            **sale,
            "date": sale["date"] + timedelta(days=20),
            "amount": -(sale["amount"] / 2).quantize(Decimal("0.01")),
        }
        for sale in refunded
    ]
    return sales + credits


def write_export(path: Path, rows: list[dict]) -> None:
    lines = [
        f"{r['order_no']};{r['customer_no']};{r['date']:%d.%m.%Y};{decimal_comma(r['amount'])};EUR"
        for r in rows
    ]
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")


def load_sales(warehouse, day: str) -> dict[str, int]:
    """Ingest one arrival day's sales into the raw layer; its audit counts."""
    with duckdb.connect(str(warehouse.database)) as con:
        load_days(con, warehouse.landing, STREAMS["sales"], [date.fromisoformat(day)])
        row = con.execute(
            "select sum(rows_accepted), sum(rows_duplicate), sum(rows_conflict), sum(rows_quarantined) "
            "from raw.ingest_batches where stream = 'sales' and arrival_date = $d",
            {"d": date.fromisoformat(day)},
        ).fetchone()
    return dict(zip(("accepted", "duplicate", "conflict", "quarantined"), row, strict=True))


def test_an_erp_export_imports_cleanly_and_its_cumulative_reexport_adds_only_new_orders(
    warehouse, tmp_path, capsys
):
    rng = random.Random(25)
    rows = erp_rows(rng, orders=1_923, refunds=77, first_order=10_000, start=date(2023, 1, 1), days=700)
    assert len(rows) == 2_000
    day1 = tmp_path / "orders_day1.csv"
    write_export(day1, rows)

    assert main([*IMPORT, str(day1), "--arrival-date", "2025-01-02"]) == 0
    assert (
        "1,923 sale(s), 77 credit note(s) (negative amounts), 0 row(s) with problems"
        in capsys.readouterr().out
    )
    assert main(["run", "--quiet", "--no-record"]) == 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)
        ledger = con.execute(
            "select sum(net_revenue), sum(credit_notes) from marts.revenue_ledger"
        ).fetchone()
    assert ledger == (sum(r["amount"] for r in rows), 77)  # net revenue is the file's sum, to the cent
    assert_sales_only_outputs_say_what_is_missing(warehouse, len({r["customer_no"] for r in rows}))

    # tomorrow's cumulative export, under its own name: yesterday's rows shuffled, and 100 new ones
    new = erp_rows(rng, orders=95, refunds=5, first_order=20_000, start=date(2024, 12, 1), days=10)
    day2 = tmp_path / "orders_day2.csv"
    write_export(day2, rng.sample(rows, len(rows)) + new)
    assert main([*IMPORT, str(day2), "--arrival-date", "2025-01-03"]) == 0
    new_events = sum(1 if r["amount"] < 0 else 2 for r in new)
    old_events = 1_923 * 2 + 77
    assert load_sales(warehouse, "2025-01-03") == {
        "accepted": new_events,
        "duplicate": old_events,
        "conflict": 0,
        "quarantined": 0,
    }

    # the day after, one old order's amount was changed in the ERP: that order conflicts, nothing else
    changed = [dict(r) for r in rows + new]
    target = next(r for r in changed if r["order_no"] == "A10007" and r["amount"] > 0)
    before, target["amount"] = target["amount"], target["amount"] + Decimal("1.00")
    day3 = tmp_path / "orders_day3.csv"
    write_export(day3, changed)
    assert main([*IMPORT, str(day3), "--arrival-date", "2025-01-04"]) == 0
    counts = load_sales(warehouse, "2025-01-04")
    # the audit counts the landed events: the row's order and its invoice
    assert (counts["accepted"], counts["conflict"]) == (0, 2)
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        conflicts = con.execute(
            "select event_id, reason, payload::json->>'import_row' from raw.quarantine "
            "where kind = 'conflict'"
        ).fetchall()
    # one conflict to fix: the export row, naming the order's events and both amounts
    [(event_id, reason, row)] = conflicts
    assert event_id in {"imp-A10007-order", "imp-A10007-invoice"}
    shown = [str(v).rstrip("0").rstrip(".") for v in (before, target["amount"])]
    assert reason == (
        f"conflict: event_id already stored with different content (amount: {shown[0]} stored, {shown[1]} "
        f"delivered); export row {row} delivered 2 conflicting events: imp-A10007-invoice, imp-A10007-order"
    )


def assert_sales_only_outputs_say_what_is_missing(warehouse, customers: int) -> None:
    """Sales without payments, tickets or contacts: the drivers measured from them are not shown as bands
    (every invoice would look unpaid, every account neglected), and data_coverage says why."""
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        coverage = {
            r[0]: r[1:]
            for r in con.execute(
                "select stream, events, accounts_covered, event_types_seen, unavailable_drivers, "
                "unavailable_because from marts.data_coverage"
            ).fetchall()
        }
        drivers = {r[0] for r in con.execute("select distinct driver from marts.churn_drivers").fetchall()}
        reasons = [r[0] for r in con.execute("select reasons from marts.at_risk_accounts").fetchall()]
        # the accounts' signals of drivers the data cannot measure are null, not a band
        per_account = con.execute("select stream, count(*) from marts.account_coverage group by 1").fetchall()
        signals = con.execute(
            "select count(payment_band), count(post_sale_contact), count(contact_persons_band), "
            "count(single_contact_person), count(complaint_handling), count(csat_band), "
            "count(discount_band), count(*) from marts.accounts"
        ).fetchone()
    assert coverage["sales"][:3] == (3_923, customers, "credit_note_issued, invoice_issued, order_placed")
    assert coverage["sales"][3:] == ("payment", "no payments (sales: payment_received)")
    assert coverage["service"] == (0, 0, None, "complaint_handling, csat", coverage["service"][4])
    assert coverage["contact"][:4] == (0, 0, None, "contact_persons, post_sale_contact")
    assert drivers == {"discount"}
    assert signals == (0, 0, 0, 0, 0, 0, customers, customers)
    assert per_account == [("sales", customers)]
    assert reasons, "no account at risk: the check below would pass on nothing"
    assert all(r.startswith("no purchase for ") and ";" not in r for r in reasons), reasons[:5]
    # the run's summary and the report say which drivers are not measured, and why
    said = "Not measured, payment: no payments (sales: payment_received)."
    assert f"  {said}" in summary_lines(warehouse)
    assert "  Not measured, contact_persons, post_sale_contact: no contact events." in summary_lines(
        warehouse
    )
    assert said in warehouse.report.read_text(encoding="utf-8")
