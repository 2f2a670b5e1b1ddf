"""`lifecycle import-csv`: a customer's own sales export (one row per sale) -> contract landing files.

Each row becomes an `order_placed` and an `invoice_issued` event. Event ids come from the source name
and the row number, so importing the same file again yields the same ids (counted as duplicates at
ingest), while two identical rows stay two sales.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines.contract import stream as contract_stream
from pipelines.contract.currencies import ISO_4217

REQUIRED_TARGETS = ("account_id", "occurred_at", "amount")
OPTIONAL_TARGETS = ("order_id", "invoice_id", "currency", "discount_amount", "payment_terms_days", "rep_id")
MAX_REPORTED_ERRORS = 20


class ImportRejected(ValueError):
    """Rows that cannot be imported; the message lists them by row number and column."""


@dataclass
class ImportResult:
    path: Path
    rows: int
    events: int


def parse_mapping(items: list[str]) -> dict[str, str]:
    """`SRC=DST` pairs -> {DST: SRC}; DST must be a contract field the importer fills."""
    mapping: dict[str, str] = {}
    for item in items:
        src, sep, dst = item.partition("=")
        if not sep or not src or not dst:
            raise ValueError(f"--map expects SOURCE_COLUMN=FIELD, got {item!r}")
        if dst not in REQUIRED_TARGETS + OPTIONAL_TARGETS:
            raise ValueError(
                f"--map target {dst!r} is not importable; "
                f"use one of {', '.join(REQUIRED_TARGETS + OPTIONAL_TARGETS)}"
            )
        mapping[dst] = src
    missing = [t for t in REQUIRED_TARGETS if t not in mapping]
    if missing:
        raise ValueError(f"--map must name a source column for {', '.join(missing)}")
    return mapping


def _source_id(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-").lower() or "import"


def _parse_amount(text: str) -> Decimal:
    value = Decimal(text.replace(" ", "").replace("\u00a0", ""))
    if not value.is_finite() or value < 0:
        raise InvalidOperation
    return value


def _parse_when(text: str, date_format: str | None) -> str:
    """A date stays a date; a time of day becomes UTC (times without an offset are taken as UTC)."""
    if date_format:
        parsed = datetime.strptime(text, date_format)
        if not any(d in date_format for d in ("%H", "%I", "%M", "%S")):
            return parsed.date().isoformat()
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text).isoformat()
    else:
        parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def convert_rows(
    rows: list[dict[str, str]],
    mapping: dict[str, str],
    source: str,
    default_currency: str | None,
    date_format: str | None,
    file_label: str,
) -> list[dict[str, str | None]]:
    """Rows of the export -> contract events; raises ImportRejected listing every bad row and column."""
    errors: list[str] = []
    events: list[dict[str, str | None]] = []
    if default_currency and default_currency not in ISO_4217:
        raise ValueError(f"--currency {default_currency!r} is not an ISO 4217 code")

    def err(row_no: int, target: str, message: str) -> None:
        errors.append(f"{file_label}: row {row_no}, column {mapping.get(target, target)!r}: {message}")

    for row_no, row in enumerate(rows, start=1):

        def value(target: str, row: dict[str, str] = row) -> str:
            return (row.get(mapping[target]) or "").strip() if target in mapping else ""

        account = value("account_id")
        if not account:
            err(row_no, "account_id", "empty")
        try:
            when = _parse_when(value("occurred_at"), date_format)
        except ValueError:
            err(
                row_no,
                "occurred_at",
                f"not a date{' in format ' + date_format if date_format else ' (ISO-8601)'}: "
                f"{value('occurred_at')!r}",
            )
            when = None
        try:
            amount = str(_parse_amount(value("amount")))
        except (InvalidOperation, ValueError):
            err(row_no, "amount", f"not a decimal number >= 0: {value('amount')!r}")
            amount = None
        currency = value("currency").upper() or default_currency
        if not currency:
            err(row_no, "currency", "empty, and no --currency default given")
        elif currency not in ISO_4217:
            err(row_no, "currency", f"not an ISO 4217 code: {currency!r}")
        discount = value("discount_amount") or None
        if discount is not None:
            try:
                discount = str(_parse_amount(discount))
            except (InvalidOperation, ValueError):
                err(row_no, "discount_amount", f"not a decimal number >= 0: {discount!r}")
        terms = value("payment_terms_days") or None
        if terms is not None and not terms.isdigit():
            err(row_no, "payment_terms_days", f"not a whole number >= 0: {terms!r}")

        key = f"{source}-{row_no:07d}"
        order_id = value("order_id") or f"ORD-{key}"
        invoice_id = value("invoice_id") or f"INV-{key}"
        common = {
            "occurred_at": when,
            "account_id": account,
            "order_id": order_id,
            "amount": amount,
            "currency": currency,
            "discount_amount": discount,
            "payment_terms_days": terms,
            "rep_id": value("rep_id") or None,
            "reason": None,
        }
        events.append(
            {"event_id": f"imp-{key}-order", "event_type": "order_placed", "invoice_id": None, **common}
        )
        events.append(
            {
                "event_id": f"imp-{key}-invoice",
                "event_type": "invoice_issued",
                "invoice_id": invoice_id,
                **common,
            }
        )
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = f"\n... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        raise ImportRejected(f"{len(errors)} problem(s); nothing was written:\n" + "\n".join(shown) + more)
    return events


def import_csv(
    path: Path,
    landing: Path,
    mapping: dict[str, str],
    arrival: date,
    default_currency: str | None = None,
    date_format: str | None = None,
    delimiter: str = ",",
    source_id: str | None = None,
) -> ImportResult:
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = reader.fieldnames or []
        absent = [src for src in mapping.values() if src not in header]
        if absent:
            raise ValueError(
                f"{path.name}: column(s) {', '.join(map(repr, absent))} not in the header "
                f"({', '.join(header)})"
            )
        rows = list(reader)
    source = source_id or _source_id(path)
    events = convert_rows(rows, mapping, source, default_currency, date_format, path.name)
    schema = contract_stream("sales")
    table = pa.table(
        {name: pa.array([e.get(name) for e in events], pa.string()) for name in schema.field_names}
    )
    folder = landing / "sales" / arrival.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"import-{source}.csv"
    tmp = folder / f".import-{source}.csv.tmp"  # hidden until complete: the ingester skips dot files
    pacsv.write_csv(table, tmp)
    tmp.replace(target)
    return ImportResult(path=target, rows=len(rows), events=len(events))
