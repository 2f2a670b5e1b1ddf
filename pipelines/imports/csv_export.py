"""`lifecycle import-csv`: a customer's own export -> contract landing files. `import_csv` writes the
landing file of any stream; sales rows are converted here, tickets and activities in service_contact.py.

Each sales row becomes an `order_placed` and an `invoice_issued` event; a row with a negative amount
(a refund) becomes a `credit_note_issued` of the amount's size instead, against the invoice of the
order it names.
Event ids come from the row's business key, never from the file's name or the row's position, so
tomorrow's cumulative export, under any name, in any order, with rows added or removed, delivers the
same events again (duplicates) and only its new rows as new events:

- with a mapped `order_id`: the order id, and whether the row is a sale or a credit; an order with
  several rows of one kind in the file adds a hash of each row's mapped values;
- otherwise: a hash of the row's mapped values, and `#n` for the n-th identical row, so two identical
  rows stay two sales.

Ids start with the system's name when one is given (`--system`), so two systems' order numbers never meet.
Which file and row delivered an event goes with it as `import_file` and `import_row`, provenance the
raw layer keeps but does not compare (contract.PROVENANCE_FIELDS).

A row with a bad value is still written, with the value as it was, so the ingester quarantines it with
its reason, the landing file and row, and the export's own row number (`import_row`). `strict=True`
refuses the whole file instead and writes nothing; so does a file without a single usable row.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines.contract import PROVENANCE_FIELDS
from pipelines.contract import stream as contract_stream
from pipelines.contract.currencies import ISO_4217
from pipelines.errors import ConfigError, InputMissing
from pipelines.imports.mapping import (
    EFFECTS,
    OPTIONAL_TARGETS,
    REQUIRED_TARGETS,
    StatusRule,
    parse_mapping,
    parse_status_map,
    system_name,
)
from pipelines.imports.rows import (
    ExportFormat,
    ImportRejected,
    Problem,
    RowReader,
    export_header,
    export_rows,
    grouped,
    parse_amount,
    parse_when,
    row_hash,
)
from pipelines.imports.service_contact import ActivityConverter, StreamConverter, TicketConverter

__all__ = [
    "EFFECTS",
    "OPTIONAL_TARGETS",
    "REQUIRED_TARGETS",
    "ExportFormat",
    "ImportRejected",
    "Problem",
    "StatusRule",
    "grouped",
    "parse_amount",
    "parse_mapping",
    "parse_status_map",
    "parse_when",
    "system_name",
]

MAX_REPORTED_ERRORS = 20
TRACE_COLUMNS = PROVENANCE_FIELDS  # extra columns: which file and row delivered each event
WRITE_BATCH_EVENTS = 20_000  # events converted before they are written: memory stays flat
DRY_RUN_EVENTS = 10  # events a dry run shows


@dataclass
class ImportResult:
    path: Path
    rows: int
    events: int
    found: list[Problem] = field(default_factory=list)  # rows written as they were, for the quarantine
    credits: int = 0  # rows that became credit notes (negative amounts)
    bad_rows: int = 0
    effects: Counter[str] = field(default_factory=Counter)  # rows per status effect, with a status column
    preview: list[dict[str, str | None]] = field(default_factory=list)  # a dry run's first events
    written: bool = True
    types: Counter[str] = field(default_factory=Counter)  # events written, by event type
    unmapped: dict[str, str] = field(default_factory=dict)  # field -> a preset's column the export lacks

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.found]


@dataclass
class Conversion:
    events: list[dict[str, str | None]]
    found: list[Problem]

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.found]


def landing_name(path: Path, system: str | None) -> str:
    """The landing file of an export: its system and its own name (never a name another export has)."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "import"
    return f"import-{system}-{stem}.csv" if system else f"import-{stem}.csv"


def _is_credit(reader: RowReader, fmt: ExportFormat) -> bool:
    if fmt.negative != "credit":
        return False
    try:
        return parse_amount(reader.text("amount"), fmt.decimal_comma) < 0
    except (InvalidOperation, ValueError):
        return False


def order_key(
    row: dict[str, str], mapping: dict[str, str], fmt: ExportFormat, status: StatusRule | None = None
) -> tuple[str, bool] | None:
    """(order id, is a credit) of a row with a mapped order id, else None: what the first pass counts."""
    if status is not None and status.effect(row) in ("skip", None):
        return None
    reader = RowReader(row, 0, mapping, "", fmt)
    order = reader.text("order_id")
    return (order, _is_credit(reader, fmt)) if order else None


class _Converter:
    """Export rows -> contract events, one row at a time: ids stay unique across the whole file.

    `shared_orders` are the (order id, credit) keys that more than one row of the file carries (the first
    pass over the file finds them): their rows are told apart by their content, not their position."""

    def __init__(
        self,
        mapping: dict[str, str],
        system: str | None,
        default_currency: str | None,
        fmt: ExportFormat,
        file_label: str,
        shared_orders: frozenset[tuple[str, bool]] = frozenset(),
        status: StatusRule | None = None,
    ) -> None:
        if default_currency and default_currency not in ISO_4217:
            raise ConfigError(f"--currency {default_currency!r} is not an ISO 4217 code")
        self.mapping, self.system, self.default_currency = mapping, system, default_currency
        self.fmt, self.file_label, self.shared_orders = fmt, file_label, shared_orders
        self.status = status
        self.found: list[Problem] = []
        self.seen: Counter[tuple[str, bool]] = Counter()
        self.bad_rows = self.credits = 0
        self.effects: Counter[str] = Counter()

    def _id(self, *parts: str) -> str:
        return "-".join([p for p in (self.system,) if p] + list(parts))

    def events(self, row: dict[str, str], row_no: int) -> list[dict[str, str | None]]:
        effect = "paid"
        if self.status is not None:
            found = self.status.effect(row)
            if found is None:
                value = (row.get(self.status.column) or "").strip()
                self.found.append(
                    Problem(
                        self.file_label,
                        row_no,
                        self.status.column,
                        "a status --status-map does not name",
                        value,
                    )
                )
                self.bad_rows += 1
                return []
            effect = found
            self.effects[effect] += 1
            if effect == "skip":
                return []
        r = RowReader(row, row_no, self.mapping, self.file_label, self.fmt)
        account = r.text("account_id")
        if not account:
            r.problem("account_id", "empty")
        when = r.when()
        amount = r.amount("amount", required=True, signed=self.fmt.negative == "credit")
        credit = isinstance(amount, Decimal) and amount < 0
        currency = r.text("currency").upper() or self.default_currency
        if not currency:
            r.problem("currency", "empty, and no --currency default given")
        elif currency not in ISO_4217:
            r.problem("currency", "not an ISO 4217 code", currency)
        discount = r.amount("discount_amount", required=False)
        terms = r.text("payment_terms_days") or None
        if terms is not None and not terms.isdigit():
            r.problem("payment_terms_days", "not a whole number >= 0", terms)
        self.found += r.found
        self.bad_rows += bool(r.found)
        self.credits += credit

        order = r.text("order_id")
        key = order if order else row_hash(r)
        if order and (order, credit) in self.shared_orders:
            key = f"{order}~{row_hash(r)}"
        self.seen[(key, credit)] += 1
        if self.seen[(key, credit)] > 1:
            key = f"{key}#{self.seen[(key, credit)]}"
        invoice = r.text("invoice_id") or f"INV-{self._id(key)}"
        common: dict[str, str | None] = {
            "occurred_at": when,
            "account_id": account or None,
            "order_id": order or f"ORD-{self._id(key)}",
            "amount": str(abs(amount)) if isinstance(amount, Decimal) else amount,
            "currency": currency,
            "discount_amount": str(discount) if isinstance(discount, Decimal) else discount,
            "payment_terms_days": terms,
            "rep_id": r.text("rep_id") or None,
            "reason": None,
            "import_file": self.file_label,
            "import_row": str(row_no),
        }
        if credit:
            # against the invoice of the order the row names (or the row's own invoice column); standing
            # alone under its own number when the row names no order
            settles = r.text("invoice_id") or (f"INV-{self._id(order)}" if order else f"CN-{self._id(key)}")
            return [self._credit(key, common, settles, "negative amount in the export")]
        placed: dict[str, str | None] = {
            "event_id": f"imp-{self._id(key)}-order",
            "event_type": "order_placed",
            **common,
            "invoice_id": None,
        }
        invoiced: dict[str, str | None] = {
            "event_id": f"imp-{self._id(key)}-invoice",
            "event_type": "invoice_issued",
            **common,
            "invoice_id": invoice,
        }
        if effect == "pending":
            return [placed]
        if effect == "cancelled":
            cancelled = {**placed, "event_id": f"imp-{self._id(key)}-cancel", "event_type": "order_cancelled"}
            return [placed, {**cancelled, "amount": None, "discount_amount": None, "reason": "cancelled"}]
        if effect == "refunded":
            return [placed, invoiced, self._credit(key, common, invoice, "refunded")]
        return [placed, invoiced]

    def _credit(
        self, key: str, common: dict[str, str | None], settles: str, reason: str
    ) -> dict[str, str | None]:
        return {
            "event_id": f"imp-{self._id(key)}-credit",
            "event_type": "credit_note_issued",
            **common,
            "invoice_id": settles,
            "discount_amount": None,
            "reason": reason,
        }


def shared_order_keys(keys: Iterable[tuple[str, bool] | None]) -> frozenset[tuple[str, bool]]:
    counts = Counter(k for k in keys if k is not None)
    return frozenset(k for k, n in counts.items() if n > 1)


def convert_rows(
    rows: list[dict[str, str]],
    mapping: dict[str, str],
    system: str | None,
    default_currency: str | None,
    date_format: str | None,
    file_label: str,
    fmt: ExportFormat | None = None,
    status: StatusRule | None = None,
) -> Conversion:
    """Rows of the export -> contract events, and the problems found (row and column named)."""
    fmt = fmt or ExportFormat(date_format=date_format)
    shared = shared_order_keys(order_key(row, mapping, fmt, status) for row in rows)
    converter = _Converter(mapping, system, default_currency, fmt, file_label, shared, status)
    events = [e for row_no, row in enumerate(rows, start=1) for e in converter.events(row, row_no)]
    return Conversion(events, converter.found)


def _rejection(problems: list[Problem], why: str) -> ImportRejected:
    shown = [str(p) for p in problems[:MAX_REPORTED_ERRORS]]
    more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return ImportRejected(f"{why}; nothing was written:\n" + "\n".join(shown) + more)


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def import_csv(
    path: Path,
    landing: Path,
    mapping: dict[str, str],
    arrival: date,
    default_currency: str | None = None,
    date_format: str | None = None,
    delimiter: str = ",",
    system: str | None = None,
    strict: bool = False,
    fmt: ExportFormat | None = None,
    status: StatusRule | None = None,
    dry_run: bool = False,
    stream: str = "sales",
    values: dict[str, dict[str, str]] | None = None,
    event_type: str | None = None,
    optional: frozenset[str] = frozenset(),
) -> ImportResult:
    """Write the export's events as landing/<stream>/<arrival>/import-[<system>-]<file>.csv, streaming (the
    export is never held in memory whole; a sales export is read twice: first for the orders that have
    several rows). `values` translate coded values (--value-map); `event_type` is the type of every row
    of a contact export without a type column; `optional` are fields whose column may be absent from the
    export (a preset's): they are left empty, and said so in the result's `unmapped`.
    A landing file of that name with other content is never replaced: another version of the same export
    on the same arrival day is refused, not merged."""
    if not path.is_file():
        raise InputMissing(f"no such file: {path}")
    fmt = fmt or ExportFormat(delimiter=delimiter, date_format=date_format)
    system = system_name(system)
    unmapped: dict[str, str] = {}
    folder = landing / contract_stream(stream).name / arrival.isoformat()
    target = folder / landing_name(path, system)
    if optional:  # a preset's columns that this export does not have are left empty
        header = set(export_header(path, fmt))
        unmapped = {t: c for t, c in mapping.items() if t in optional and c not in header}
        mapping = {t: c for t, c in mapping.items() if t not in unmapped}
    columns = {**mapping, "status": status.column} if status else mapping
    converter = _converter(
        stream, path, mapping, columns, system, default_currency, fmt, status, values, event_type
    )
    # written beside the stream folders (hidden, same file system) and moved into its day when complete:
    # a refused import leaves no file and no empty day behind
    landing.mkdir(parents=True, exist_ok=True)
    tmp = landing / f".{target.name}.{os.getpid()}.tmp"
    names = [*contract_stream(stream).field_names, *TRACE_COLUMNS]
    schema = pa.schema([(n, pa.string()) for n in names])
    rows = events = 0
    types: Counter[str] = Counter()
    preview: list[dict[str, str | None]] = []
    try:
        with pacsv.CSVWriter(tmp, schema) as writer:
            batch: list[dict[str, str | None]] = []
            for rows, row in enumerate(export_rows(path, fmt, columns), start=1):
                converted = converter.events(row, rows)
                types.update(str(e["event_type"]) for e in converted)
                batch += converted
                if dry_run and len(preview) < DRY_RUN_EVENTS:
                    preview = batch[:DRY_RUN_EVENTS]
                if len(batch) >= WRITE_BATCH_EVENTS:
                    writer.write_table(pa.Table.from_pylist(batch, schema))
                    events += len(batch)
                    batch = []
            writer.write_table(pa.Table.from_pylist(batch, schema))
            events += len(batch)
        if strict and converter.found:
            raise _rejection(converter.found, f"{len(converter.found)} problem(s)")
        if rows == 0 or converter.bad_rows == rows - converter.effects["skip"]:
            why = "no row" if rows == 0 else f"none of its {rows:,} row(s) is usable"
            raise _rejection(converter.found, f"{path.name}: {why}")
        if not dry_run:  # a dry run only reports: the temporary file goes, nothing lands
            if target.exists() and not _same_bytes(tmp, target):
                raise ImportRejected(
                    f"{target} already holds a different version of this export (same name, same arrival "
                    "day); nothing was written. Land it on another --arrival-date (its events are compared "
                    "by their business keys, so only new or changed rows count)"
                )
            folder.mkdir(parents=True, exist_ok=True)
            tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return ImportResult(
        path=target,
        rows=rows,
        events=events,
        found=converter.found,
        credits=converter.credits,
        bad_rows=converter.bad_rows,
        effects=converter.effects,
        preview=preview,
        written=not dry_run,
        types=types,
        unmapped=unmapped,
    )


def _converter(
    stream: str,
    path: Path,
    mapping: dict[str, str],
    columns: dict[str, str],
    system: str | None,
    default_currency: str | None,
    fmt: ExportFormat,
    status: StatusRule | None,
    values: dict[str, dict[str, str]] | None,
    event_type: str | None,
) -> _Converter | StreamConverter:
    """The converter of the stream's rows; for sales after a first pass that finds the orders that have
    several rows of one kind."""
    if status is not None and status.stream != stream:
        raise ConfigError(f"the status rule is for {status.stream} exports, not {stream}")
    if stream == "sales":
        keys = (order_key(row, mapping, fmt, status) for row in export_rows(path, fmt, columns))
        return _Converter(mapping, system, default_currency, fmt, path.name, shared_order_keys(keys), status)
    if stream == "service":
        return TicketConverter(mapping, system, fmt, path.name, status, values)
    return ActivityConverter(mapping, system, fmt, path.name, status, values, event_type=event_type)
