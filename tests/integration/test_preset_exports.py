"""Exports in a well-known shape, imported with a preset: the Shopify orders export (one row per line
item, the order's columns on its first row; column names of Shopify's own export) builds, and its
refunded, voided and unpaid orders are not net revenue; Stripe invoices, Zendesk tickets and HubSpot
activities land in their streams and build together."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from pipelines.cli import main
from pipelines.contract import STREAMS
from pipelines.raw.loader import load_days

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
    assert main(["run", "--quiet", "--no-record"]) == 0
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


# Stripe's invoice export (Billing > Invoices > Export, default columns)
STRIPE_HEADER = (
    "id,Number,Customer,Customer Name,Customer Email,Currency,Amount Due,Amount Paid,Amount Remaining,"
    "Date (UTC),Due Date (UTC),Status,Subtotal,Tax,Total"
)
INVOICES = [  # id, customer, customer name, total, date, status
    ("in_1", "cus_A", "Acme", "100.00", "2024-02-01 10:00", "paid"),
    ("in_2", "cus_G", "Globex", "50.00", "2024-02-02 10:00", "open"),
    ("in_3", "cus_G", "Globex", "30.00", "2024-02-03 10:00", "uncollectible"),
    ("in_4", "cus_A", "Acme", "70.00", "2024-02-04 10:00", "void"),
    ("in_5", "cus_I", "Initech", "20.00", "2024-02-05 10:00", "draft"),
]
# Zendesk Support's ticket export (CSV), its first columns
ZENDESK_HEADER = (
    "Summation column,Id,Requester,Requester id,Requester email,Requester domain,Assignee,Group,Subject,"
    "Status,Priority,Via,Ticket type,Created at,Updated at,Organization,Solved at,Satisfaction Score,Reopens"
)
TICKETS = [  # id, status, priority, type, created, organization, solved, satisfaction
    (
        "101",
        "solved",
        "urgent",
        "problem",
        "2024-02-05 09:00:00 +0100",
        "Acme",
        "2024-02-07 10:00:00 +0100",
        "Bad",
    ),
    ("102", "open", "normal", "question", "2024-02-06 09:00:00 +0100", "Globex", "", "Unoffered"),
    ("103", "new", "low", "", "2024-02-08 09:00:00 +0100", "", "", "Offered"),  # no organization
]
# HubSpot's activity export (calls, e-mails, meetings; this one without the call direction column)
HUBSPOT_HEADER = (
    "Record ID,Activity type,Activity date,Associated Company,Associated Contact,Activity assigned to"
)
ACTIVITIES = [
    ("9001", "CALL", "2024-02-02 10:00", "Acme", "ann@acme.example", "rep-1"),
    ("9002", "EMAIL", "2024-02-04 11:00", "Globex", "cid@globex.example", "rep-2"),
    ("9003", "MEETING", "2024-02-09 15:00", "Acme", "bo@acme.example", "rep-1"),
    ("9004", "NOTE", "2024-02-09 16:00", "Acme", "bo@acme.example", "rep-1"),
]


def zendesk_export(tickets) -> str:
    lines = [ZENDESK_HEADER]
    for tid, status, priority, kind, created, org, solved, score in tickets:
        lines.append(
            f",{tid},Requester {tid},{tid}0,r{tid}@example.com,example.com,Agent Smith,Support,Subject {tid},"
            f"{status},{priority},email,{kind},{created},{solved or created},{org},{solved},{score},0"
        )
    return "\n".join(lines) + "\n"


def test_billing_help_desk_and_crm_exports_build_together(warehouse, tmp_path, capsys):
    """Invoices from Stripe, tickets from Zendesk and activities from HubSpot, each with its preset (the
    customer named alike in all three): each stream lands, builds, and counts only what it should."""
    stripe = tmp_path / "invoices.csv"
    stripe.write_text(
        "\n".join(
            [STRIPE_HEADER]
            + [
                f"{i},N-{i},{c},{name},x@{name.lower()}.example,eur,{t},0.00,{t},{d},,{s},{t},0.00,{t}"
                for i, c, name, t, d, s in INVOICES
            ]
        )
        + "\n"
    )
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(zendesk_export(TICKETS))
    activities = tmp_path / "activities.csv"
    activities.write_text("\n".join([HUBSPOT_HEADER, *(",".join(a) for a in ACTIVITIES)]) + "\n")
    day = ["--arrival-date", "2024-02-10"]
    # the company name is the customer in all three systems
    imports = [
        [str(stripe), "--preset", "stripe-invoices", "--map", "Customer Name=account_id"],
        [str(tickets), "--preset", "zendesk-tickets"],
        [str(activities), "--preset", "hubspot-activities"],
    ]
    for args in imports:
        assert main(["import-csv", *args, *day]) == 0
    out = capsys.readouterr().out
    assert "3 row(s) as 5 events" in out
    assert "1 satisfaction_rated, 3 ticket_opened, 1 ticket_resolved" in out
    assert "1 call, 1 email, 1 meeting, 0 row(s) with problems, 1 skipped by status" in out
    assert "direction: the preset's column 'Call direction' is not in this export; left empty" in out
    assert main(["run", "--quiet", "--no-record"]) == 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        quarantined = con.execute("select stream, event_id, reason from raw.quarantine").fetchall()
        ledger = con.execute("select sum(invoiced), sum(credited) from marts.revenue_ledger").fetchone()
        tickets_stored = con.execute(
            "select event_type, account_id, category, severity, csat_score from raw.service_events "
            "order by event_id"
        ).fetchall()
        contacts = con.execute("select event_type, count(*) from raw.contact_events group by 1").fetchall()
        coverage = {
            r[0]: r[1:]
            for r in con.execute(
                "select stream, events, accounts_covered, unavailable_drivers from marts.data_coverage"
            ).fetchall()
        }
        per_account = con.execute(
            "select account_id, stream, event_types_seen, events from marts.account_coverage order by all"
        ).fetchall()
    # the ticket without an organization names no customer: quarantined, with the field named
    assert [(q[0], q[1]) for q in quarantined] == [("service", "imp-103-opened")]
    assert "account_id" in quarantined[0][2]
    # by hand: paid, open and uncollectible invoices are invoiced (180); the void one is cancelled, the
    # draft is no invoice
    assert ledger == (Decimal("180.00"), Decimal("0.00"))
    assert tickets_stored == [
        ("ticket_opened", "Acme", "complaint", "high", None),
        ("satisfaction_rated", "Acme", None, None, 1),
        ("ticket_resolved", "Acme", None, None, None),
        ("ticket_opened", "Globex", "question", "normal", None),
    ]
    assert sorted(contacts) == [("call", 1), ("email", 1), ("meeting", 1)]
    assert coverage["service"] == (4, 2, None)  # every service driver is measured
    assert coverage["contact"] == (3, 2, None)
    assert per_account == [
        ("Acme", "contact", "call, meeting", 2),
        ("Acme", "sales", "invoice_issued, order_cancelled, order_placed", 4),
        ("Acme", "service", "satisfaction_rated, ticket_opened, ticket_resolved", 3),
        ("Globex", "contact", "email", 1),
        ("Globex", "sales", "invoice_issued, order_placed", 4),
        ("Globex", "service", "ticket_opened", 1),
    ]

    # tomorrow's cumulative ticket export: 102 was solved since; everything else arrives again
    tomorrow = [t if t[0] != "102" else (*t[:6], "2024-02-11 08:00:00 +0100", "Good") for t in TICKETS]
    tickets2 = tmp_path / "tickets_2024-02-11.csv"
    tickets2.write_text(zendesk_export(tomorrow))
    assert (
        main(["import-csv", str(tickets2), "--preset", "zendesk-tickets", "--arrival-date", "2024-02-11"])
        == 0
    )
    with duckdb.connect(str(warehouse.database)) as con:
        load_days(con, warehouse.landing, STREAMS["service"], [date(2024, 2, 11)])
        counts = con.execute(
            "select rows_accepted, rows_duplicate, rows_conflict from raw.ingest_batches "
            "where stream = 'service' and arrival_date = date '2024-02-11'"
        ).fetchone()
    # new: 102's resolution and rating; again: 101's three events and 102's opening (103 quarantined again)
    assert counts == (2, 4, 0)
