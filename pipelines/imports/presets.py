"""Named mappings for well-known export shapes (`lifecycle import-csv --preset NAME`).

A preset is only defaults: every flag given on the command line overrides the preset's (a `--map` for a
field replaces the preset's column for that field). `lifecycle import-csv --show-preset NAME` prints it
as the flags it stands for.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from pipelines.errors import ConfigError


@dataclass(frozen=True)
class Preset:
    name: str
    what: str  # the export it reads, and where its columns are documented
    mapping: dict[str, str]  # contract field -> the export's column
    delimiter: str = ","
    date_format: str | None = None
    decimal_comma: bool = False
    status_column: str | None = None
    status_map: dict[str, str] = field(default_factory=dict)
    note: str = ""
    stream: str = "sales"
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {value: target}
    event_type: str | None = None

    def as_flags(self) -> list[str]:
        """The command-line flags the preset stands for."""
        flags = [f"--stream={self.stream}"]
        flags += [f"--map={column}={target}" for target, column in self.mapping.items()]
        flags.append(f"--delimiter={self.delimiter}")
        if self.date_format:
            flags.append(f"--date-format={self.date_format}")
        if self.decimal_comma:
            flags.append("--decimal-comma")
        if self.status_column:
            flags.append(f"--status-column={self.status_column}")
            flags += [f"--status-map={value}={effect}" for value, effect in self.status_map.items()]
        if self.event_type:
            flags.append(f"--event-type={self.event_type}")
        flags += [
            f"--value-map={name}:{value}={target}"
            for name, values in self.value_map.items()
            for value, target in values.items()
        ]
        return flags


PRESETS = {
    p.name: p
    for p in (
        Preset(
            name="shopify-orders",
            what="Shopify admin, Orders > Export (CSV for Excel or plain CSV): one row per line item, the "
            "order's own columns (Financial Status, Total, ...) filled on its first row only",
            mapping={
                "order_id": "Name",
                "account_id": "Email",
                "occurred_at": "Created at",
                "amount": "Total",
                "currency": "Currency",
                "discount_amount": "Discount Amount",
            },
            date_format="%Y-%m-%d %H:%M:%S %z",
            status_column="Financial Status",
            status_map={
                "paid": "paid",
                "partially_paid": "paid",
                "partially_refunded": "paid",
                "authorized": "pending",
                "pending": "pending",
                "refunded": "refunded",
                "voided": "cancelled",
                "": "skip",  # the further line items of an order
            },
            note="The customer is the order's e-mail address (the export has no company column; map another "
            "with --map COLUMN=account_id). A partial refund keeps the order's total as revenue.",
        ),
        Preset(
            name="stripe-invoices",
            what="Stripe Dashboard, Billing > Invoices > Export (CSV, default columns): one row per invoice, "
            "amounts in the currency's major unit, the currency in lower case",
            mapping={
                "order_id": "id",
                "invoice_id": "Number",
                "account_id": "Customer",
                "occurred_at": "Date (UTC)",
                "amount": "Total",
                "currency": "Currency",
            },
            date_format="%Y-%m-%d %H:%M",
            status_column="Status",
            status_map={
                "paid": "paid",
                "open": "paid",  # finalized and sent: invoiced, not yet paid
                "uncollectible": "paid",  # invoiced; writing it off is finance's decision
                "void": "cancelled",
                "draft": "skip",  # not yet an invoice
            },
            note="The customer is Stripe's customer id (cus_...); map 'Customer Email' or a company column "
            "instead with --map COLUMN=account_id. Stripe's export has no payment dates, so payments are "
            "not imported and the payment driver stays unmeasured. If your export writes seconds, give "
            "--date-format '%Y-%m-%d %H:%M:%S'.",
        ),
        Preset(
            name="zendesk-tickets",
            stream="service",
            what="Zendesk Support, Admin Center > Account > Tools > Reports > Export, CSV (tickets): one row "
            "per ticket",
            mapping={
                "ticket_id": "Id",
                "account_id": "Organization",
                "occurred_at": "Created at",
                "resolved_at": "Solved at",
                "category": "Ticket type",
                "severity": "Priority",
                "csat_score": "Satisfaction Score",
                "agent_id": "Assignee",
            },
            date_format="%Y-%m-%d %H:%M:%S %z",
            value_map={
                "category": {
                    "problem": "complaint",
                    "task": "request",
                    "incident": "incident",
                    "question": "question",
                },
                "severity": {"urgent": "high"},
                "csat_score": {"good": "5", "bad": "1", "offered": "", "unoffered": ""},
            },
            note="The customer is the ticket's organization (a ticket without one is quarantined: map "
            "'Requester domain' instead if your customers are not organizations). Zendesk rates good or "
            "bad: they become 5 and 1. A 'problem' ticket counts as a complaint. The export has no reopen "
            "times; a ticket solved again after a reopen is a second resolution.",
        ),
        Preset(
            name="hubspot-activities",
            stream="contact",
            what="HubSpot, CRM > Activities (calls, e-mails, meetings) > Export, CSV: one row per activity "
            "with its associated company",
            mapping={
                "activity_id": "Record ID",
                "account_id": "Associated Company",
                "occurred_at": "Activity date",
                "contact_person_id": "Associated Contact",
                "rep_id": "Activity assigned to",
                "direction": "Call direction",
            },
            date_format="%Y-%m-%d %H:%M",
            status_column="Activity type",
            status_map={
                "call": "call",
                "email": "email",
                "incoming_email": "email",
                "forwarded_email": "email",
                "meeting": "meeting",
                "note": "skip",
                "task": "skip",
                "": "skip",
            },
            note="An activity without an associated company is quarantined (the customer is the company). "
            "Notes and tasks are not contact with the customer and are skipped. E-mail rows have no call "
            "direction; their direction stays empty. HubSpot writes dates as your account's settings say: "
            "when every row fails on its date, give the export's format (e.g. --date-format "
            "'%d/%m/%Y %H:%M'). To key the customer as the companies export does, map 'Associated Company "
            "IDs' (its Record ID) instead of the company's name.",
        ),
        Preset(
            name="hubspot-companies",
            stream="contact",
            what="HubSpot, CRM > Companies > Export, CSV: one row per company, its properties as they are "
            "at the export (the account master: segment, industry, region, owner)",
            mapping={
                "account_id": "Record ID",
                "occurred_at": "Last Modified Date",
                "account_name": "Company name",
                "industry": "Industry",
                "country": "Country/Region",
                "employees": "Number of Employees",
                "owner_rep_id": "Company owner",
            },
            date_format="%Y-%m-%d %H:%M",
            event_type="account_updated",
            note="HubSpot has no standard segment or sales-region property: map your own with --map "
            "COLUMN=segment and --map COLUMN=region. An export repeated later sends an unchanged company as "
            "the same event and a changed one as a new update from its Last Modified Date. The customer id "
            "must be the one your activity and deal exports name (map Record ID there too, or map the "
            "column they share).",
        ),
    )
}


def preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"no preset {name!r}: choose one of {', '.join(sorted(PRESETS))}") from None


def describe(p: Preset) -> str:
    """What `--show-preset` prints: the export it reads, the flags, and what to know."""
    lines = [f"{p.name}: {p.what}", "  the flags it stands for (each can be given again to override it):"]
    lines += [f"    {shlex.quote(flag)}" for flag in p.as_flags()]
    if p.note:
        lines.append(f"  note: {p.note}")
    return "\n".join(lines)
