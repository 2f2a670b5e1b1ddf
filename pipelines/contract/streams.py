"""Field-level contract of the three event streams.

A landing value is read as text, unless Parquet already types it as `kind` asks; `kind` says how a value
must parse. Keeping the rules as data lets the simulator write exactly what the ingester accepts, and lets
docs/events.md be checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.errors import ConfigError

# Currency codes are checked against the full ISO 4217 list in currencies.py.
ALL = "*"  # required on every event type of the stream


@dataclass(frozen=True)
class FieldSpec:
    """One field: how it parses and when it is required.

    kind: "string" | "timestamp" (ISO-8601 with offset, or a date) | "decimal" (>= 0, exact) |
          "int" (>= 0) | "currency" | "enum" (one of `allowed`).
    required_for: event types that must carry the field ("*" = all types of the stream).
    """

    name: str
    kind: str
    required_for: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""

    def required_on(self, event_type: str) -> bool:
        return ALL in self.required_for or event_type in self.required_for


# Extra fields that say where an event came from (which export file and row delivered it). They are stored
# with the event but are not its content: the same event delivered by another file, or by another row of
# a re-sorted export, is a duplicate, not a conflict.
PROVENANCE_FIELDS: tuple[str, ...] = ("import_file", "import_row")

ENVELOPE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("event_id", "string", (ALL,), description="Unique within its stream; the idempotency key."),
    FieldSpec("event_type", "enum", (ALL,), description="One of the stream's event types."),
    FieldSpec(
        "occurred_at",
        "timestamp",
        (ALL,),
        description="When it happened: ISO-8601 timestamp with offset, or a date; stored in UTC.",
    ),
    FieldSpec("account_id", "string", (ALL,), description="The customer company."),
)


@dataclass(frozen=True)
class StreamSchema:
    name: str
    event_types: tuple[str, ...]
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    @property
    def all_fields(self) -> tuple[FieldSpec, ...]:
        envelope = tuple(
            FieldSpec(f.name, f.kind, f.required_for, self.event_types, description=f.description)
            if f.name == "event_type"
            else f
            for f in ENVELOPE_FIELDS
        )
        return envelope + self.fields

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.all_fields)

    def field(self, name: str) -> FieldSpec:
        for spec in self.all_fields:
            if spec.name == name:
                return spec
        raise KeyError(f"stream {self.name!r} has no field {name!r}")

    def required_fields(self, event_type: str) -> tuple[str, ...]:
        return tuple(f.name for f in self.all_fields if f.required_on(event_type))

    @property
    def raw_table(self) -> str:
        return f"{self.name}_events"


_MONEY_TYPES = ("order_placed", "invoice_issued", "credit_note_issued", "payment_received")

SALES = StreamSchema(
    name="sales",
    event_types=(
        "order_placed",
        "order_cancelled",
        "invoice_issued",
        "credit_note_issued",
        "payment_received",
    ),
    fields=(
        FieldSpec("order_id", "string", (ALL,), description="The order the event belongs to."),
        FieldSpec(
            "invoice_id",
            "string",
            ("invoice_issued", "credit_note_issued", "payment_received"),
            description="The invoice (credit notes and payments name the invoice they settle).",
        ),
        FieldSpec(
            "amount",
            "decimal",
            _MONEY_TYPES,
            description="Exact decimal >= 0 in `currency`; a credit note carries a positive amount.",
        ),
        FieldSpec("currency", "currency", _MONEY_TYPES, description="ISO 4217 code; required with amount."),
        FieldSpec("discount_amount", "decimal", description="Discount granted, >= 0, same currency."),
        FieldSpec("payment_terms_days", "int", minimum=0, description="Agreed payment terms in days."),
        FieldSpec("rep_id", "string", description="Sales representative."),
        FieldSpec("reason", "string", description="Free-text reason (cancellations, credit notes)."),
    ),
)

SERVICE = StreamSchema(
    name="service",
    event_types=("ticket_opened", "ticket_resolved", "ticket_reopened", "satisfaction_rated"),
    fields=(
        FieldSpec("ticket_id", "string", (ALL,), description="The support ticket."),
        FieldSpec(
            "category",
            "enum",
            allowed=("complaint", "question", "incident", "request"),
            description="What the ticket is about (set on ticket_opened).",
        ),
        FieldSpec("severity", "enum", allowed=("low", "normal", "high"), description="Ticket severity."),
        FieldSpec(
            "csat_score",
            "int",
            ("satisfaction_rated",),
            minimum=1,
            maximum=5,
            description="Customer satisfaction 1..5.",
        ),
        FieldSpec("agent_id", "string", description="Support agent."),
    ),
)

CONTACT = StreamSchema(
    name="contact",
    # account_updated carries the CRM's account master: each attribute present sets it from occurred_at on.
    # Like lead_created it is no contact with the customer.
    event_types=("lead_created", "call", "email", "meeting", "visit", "account_updated"),
    fields=(
        FieldSpec(
            "contact_person_id",
            "string",
            description="Pseudonymous id of the person at the customer (hashed again before the marts).",
        ),
        FieldSpec("rep_id", "string", description="Sales representative."),
        FieldSpec("direction", "enum", allowed=("inbound", "outbound"), description="Who initiated it."),
        *(
            FieldSpec(
                name, "string", description=f"account_updated: the account's {text} from occurred_at on."
            )
            for name, text in (
                ("account_name", "name"),
                ("segment", "segment (e.g. enterprise, mid_market, smb)"),
                ("industry", "industry"),
                ("region", "sales region"),
                ("country", "country"),
            )
        ),
        FieldSpec("employees", "int", minimum=0, description="account_updated: the account's head count."),
        FieldSpec(
            "owner_rep_id", "string", description="account_updated: the sales rep who owns the account."
        ),
    ),
)

# The account attributes an account_updated event can set.
ACCOUNT_ATTRIBUTES: tuple[str, ...] = (
    "account_name",
    "segment",
    "industry",
    "region",
    "country",
    "employees",
    "owner_rep_id",
)

STREAMS: dict[str, StreamSchema] = {s.name: s for s in (SALES, SERVICE, CONTACT)}


def stream(name: str) -> StreamSchema:
    try:
        return STREAMS[name]
    except KeyError:
        raise ConfigError(f"unknown stream {name!r}; expected one of {', '.join(STREAMS)}") from None
