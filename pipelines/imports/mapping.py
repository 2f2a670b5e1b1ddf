"""What a user tells `lifecycle import-csv` about an export: which column is which contract field
(`--map`), what a status or type column's values mean (`--status-column`, `--status-map`), how to read
coded values (`--value-map`), and the system the export comes from (`--system`).

Each stream has its own fields to map and its own effects:

- sales: a row is a sale (an order and its invoice), or a credit note when its amount is negative;
- service: a row is a ticket (opened, and resolved or rated when those columns are filled), or, with a
  status column, one change of a ticket's status;
- contact: a row is one activity (a call, an e-mail, a meeting, a visit, a new lead), or, as
  account_updated, one account of a CRM's account (company) export: the attributes it maps hold from
  occurred_at (e.g. the record's last-modified time) on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.contract import ACCOUNT_ATTRIBUTES
from pipelines.contract import stream as contract_stream
from pipelines.errors import ConfigError

# (required, optional) fields to map, per stream
TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sales": (
        ("account_id", "occurred_at", "amount"),
        ("order_id", "invoice_id", "currency", "discount_amount", "payment_terms_days", "rep_id"),
    ),
    "service": (
        ("account_id", "occurred_at", "ticket_id"),
        ("resolved_at", "reopened_at", "rated_at", "csat_score", "category", "severity", "agent_id"),
    ),
    "contact": (
        ("account_id", "occurred_at"),
        ("activity_id", "contact_person_id", "rep_id", "direction", *ACCOUNT_ATTRIBUTES),
    ),
}
REQUIRED_TARGETS, OPTIONAL_TARGETS = TARGETS["sales"]

# What a status (or, for contact exports, activity type) value can mean, per stream.
EFFECTS: dict[str, tuple[str, ...]] = {
    "sales": ("paid", "pending", "cancelled", "refunded", "skip"),
    "service": ("opened", "resolved", "reopened", "rated", "skip"),
    "contact": (*contract_stream("contact").event_types, "skip"),
}

# Fields whose exported values can be translated (`--value-map FIELD:VALUE=TARGET`): the contract's coded
# fields, and the satisfaction score (help desks export words such as good/bad).
VALUE_FIELDS = ("category", "severity", "direction", "csat_score")

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def targets(stream: str) -> tuple[str, ...]:
    required, optional = TARGETS[stream]
    return required + optional


@dataclass(frozen=True)
class StatusRule:
    """What a status column's values mean (`--status-column`, `--status-map value=effect`).

    sales:   paid (an order and its invoice; the default without a status column), pending (an order, no
             invoice), cancelled (an order and its cancellation), refunded (an order, its invoice and a
             credit note of the whole amount), skip (nothing, e.g. the further line items of an order)
    service: opened, resolved, reopened, rated: the row is that one change of its ticket, at occurred_at
    contact: the activity the row is (call, email, meeting, visit, lead_created)
    every stream: skip

    Values are compared without case and surrounding spaces; a value the map does not name is a problem
    of its row, which is then not written."""

    column: str
    effects: dict[str, str]
    stream: str = "sales"

    def __post_init__(self) -> None:
        allowed = EFFECTS[self.stream]
        bad = {v: e for v, e in self.effects.items() if e not in allowed}
        if bad:
            raise ConfigError(
                f"--status-map effects of a {self.stream} export must be one of {', '.join(allowed)}; got "
                + ", ".join(f"{v}={e}" for v, e in bad.items())
            )

    def effect(self, row: dict[str, str]) -> str | None:
        return self.effects.get((row.get(self.column) or "").strip().lower())


def parse_status_map(items: list[str]) -> dict[str, str]:
    """`value=effect` pairs (an empty value names rows whose status is empty)."""
    effects: dict[str, str] = {}
    for item in items:
        value, sep, effect = item.rpartition("=")
        if not sep or not effect:
            raise ConfigError(f"--status-map expects VALUE=EFFECT, got {item!r}")
        effects[value.strip().lower()] = effect.strip().lower()
    return effects


def parse_value_map(items: list[str]) -> dict[str, dict[str, str]]:
    """`FIELD:VALUE=TARGET` triples -> {field: {value: target}}; values compared without case. An empty
    TARGET means "no value" (e.g. a survey offered but not answered)."""
    maps: dict[str, dict[str, str]] = {}
    for item in items:
        name, colon, rest = item.partition(":")
        value, sep, target = rest.rpartition("=")
        if not colon or not sep:
            raise ConfigError(f"--value-map expects FIELD:VALUE=TARGET, got {item!r}")
        if name not in VALUE_FIELDS:
            raise ConfigError(f"--value-map field {name!r} is not one of {', '.join(VALUE_FIELDS)}")
        maps.setdefault(name, {})[value.strip().lower()] = target.strip().lower()
    return maps


def parse_mapping(items: list[str], require: bool = True, stream: str = "sales") -> dict[str, str]:
    """`SRC=DST` pairs -> {DST: SRC}; DST must be a field of `stream` the importer fills. `require`: the
    pairs must name every required field (not when a preset names them)."""
    required, _ = TARGETS[stream]
    mapping: dict[str, str] = {}
    for item in items:
        src, sep, dst = item.partition("=")
        if not sep or not src or not dst:
            raise ConfigError(f"--map expects SOURCE_COLUMN=FIELD, got {item!r}")
        if dst not in targets(stream):
            raise ConfigError(
                f"--map target {dst!r} is not importable into {stream}; use one of "
                f"{', '.join(targets(stream))}"
            )
        mapping[dst] = src
    missing = [t for t in required if t not in mapping]
    if missing and require:
        raise ConfigError(f"--map must name a source column for {', '.join(missing)}")
    return mapping


def system_name(given: str | None) -> str | None:
    """The system ids are prefixed with (checked), or None: ids of the business key alone."""
    if given is None:
        return None
    if not SOURCE_ID.match(given):
        raise ConfigError(
            f"--system must be lower-case letters, digits, '-' or '_' (at most 64, starting with a letter "
            f"or digit), got {given!r}"
        )
    return given
