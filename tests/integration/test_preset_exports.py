"""Exports in a well-known shape, imported with a preset: the Shopify orders export (one row per line
item, the order's columns on its first row; column names of Shopify's own export) builds, and its
refunded, voided and unpaid orders are not net revenue."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from pipelines.cli import main

pytestmark = pytest.mark.integration

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,"
    "Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price"
)
# name, e-mail, financial status, total, created at; a second line item of #1001
ORDERS = [
    ("#1001", "buyer@acme.example", "paid", "120.00", "2024-02-01 09:50:26 +0100"),
    ("#1002", "ops@globex.example", "refunded", "80.00", "2024-02-03 11:00:00 +0100"),
    ("#1003", "ops@globex.example", "voided", "50.00", "2024-02-05 12:00:00 +0100"),
    ("#1004", "it@initech.example", "pending", "30.00", "2024-02-07 13:00:00 +0100"),
    ("#1005", "it@initech.example", "partially_paid", "200.00", "2024-03-01 14:00:00 +0100"),
    ("#1006", "buyer@acme.example", "partially_refunded", "60.00", "2024-03-04 15:00:00 +0100"),
    ("#1007", "ceo@umbrella.example", "authorized", "45.00", "2024-03-06 16:00:00 +0100"),
]


def shopify_export() -> str:
    lines = [SHOPIFY_HEADER]
    for name, email, status, total, created in ORDERS:
        paid_at = created if status in ("paid", "partially_paid", "partially_refunded", "refunded") else ""
        lines.append(
            f"{name},{email},{status},{paid_at},fulfilled,{created},no,EUR,{total},0.00,0.00,{total},,0.00,"
            f"Standard,{created},1,Widget,{total}"
        )
        if name == "#1001":  # a further line item: the order's own columns are empty
            lines.append(f"{name},{email},,,,,,,,,,,,,,{created},2,Gadget,10.00")
    return "\n".join(lines) + "\n"


def test_a_shopify_orders_export_builds_and_only_paid_orders_are_net_revenue(warehouse, tmp_path, capsys):
    export = tmp_path / "orders_export_1.csv"
    export.write_text(shopify_export(), encoding="utf-8")
    assert (
        main(["import-csv", str(export), "--preset", "shopify-orders", "--arrival-date", "2024-03-10"]) == 0
    )
    out = capsys.readouterr().out
    assert "0 row(s) with problems, 1 skipped by status" in out
    assert main(["run", "--quiet"]) == 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)
        ledger = con.execute(
            "select sum(invoiced), sum(credited), sum(net_revenue) from marts.revenue_ledger"
        ).fetchone()
        orders = dict(con.execute("select account_id, n_orders from marts.accounts").fetchall())
    # by hand: invoiced are the paid, partially paid, partially refunded and refunded orders; the refund
    # is credited in full; voided, pending and authorized orders are no revenue
    assert ledger == (Decimal("460.00"), Decimal("80.00"), Decimal("380.00"))
    assert orders["ops@globex.example"] == 1  # the voided order was cancelled
