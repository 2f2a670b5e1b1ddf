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

    def as_flags(self) -> list[str]:
        """The command-line flags the preset stands for."""
        flags = [f"--map={column}={target}" for target, column in self.mapping.items()]
        flags.append(f"--delimiter={self.delimiter}")
        if self.date_format:
            flags.append(f"--date-format={self.date_format}")
        if self.decimal_comma:
            flags.append("--decimal-comma")
        if self.status_column:
            flags.append(f"--status-column={self.status_column}")
            flags += [f"--status-map={value}={effect}" for value, effect in self.status_map.items()]
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
