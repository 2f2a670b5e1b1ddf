"""`lifecycle import-csv`: a customer's own sales export (one row per sale) -> contract landing files.

Each row becomes an `order_placed` and an `invoice_issued` event. Event ids come from the row's business
key, not its position, so tomorrow's export with a row inserted in the middle keeps every other id:

- with a mapped `order_id`: the order id (and `#n` for its n-th row, if an order has several rows);
- otherwise: a hash of the row's mapped values, and `#n` for the n-th identical row, so two identical
  rows stay two sales.

A row with a bad value is still written, with the value as it was, so the ingester quarantines it with
its reason, the landing file and row, and the export's own row number (`import_row`). `strict=True`
refuses the whole file instead and writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines.contract import stream as contract_stream
from pipelines.contract.currencies import ISO_4217
from pipelines.errors import ConfigError, InputMissing, InputRejected

REQUIRED_TARGETS = ("account_id", "occurred_at", "amount")
OPTIONAL_TARGETS = ("order_id", "invoice_id", "currency", "discount_amount", "payment_terms_days", "rep_id")
MAX_REPORTED_ERRORS = 20
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TRACE_COLUMNS = ("import_file", "import_row")  # extra columns: where each event came from
WRITE_BATCH_EVENTS = 20_000  # events converted before they are written: memory stays flat


class ImportRejected(InputRejected):
    """Rows that cannot be imported; the message lists them by row number and column."""


@dataclass
class ImportResult:
    path: Path
    rows: int
    events: int
    problems: list[str] = field(default_factory=list)  # rows written as they were, for the quarantine


@dataclass
class Conversion:
    events: list[dict[str, str | None]]
    problems: list[str]


def parse_mapping(items: list[str]) -> dict[str, str]:
    """`SRC=DST` pairs -> {DST: SRC}; DST must be a contract field the importer fills."""
    mapping: dict[str, str] = {}
    for item in items:
        src, sep, dst = item.partition("=")
        if not sep or not src or not dst:
            raise ConfigError(f"--map expects SOURCE_COLUMN=FIELD, got {item!r}")
        if dst not in REQUIRED_TARGETS + OPTIONAL_TARGETS:
            raise ConfigError(
                f"--map target {dst!r} is not importable; "
                f"use one of {', '.join(REQUIRED_TARGETS + OPTIONAL_TARGETS)}"
            )
        mapping[dst] = src
    missing = [t for t in REQUIRED_TARGETS if t not in mapping]
    if missing:
        raise ConfigError(f"--map must name a source column for {', '.join(missing)}")
    return mapping


def source_id_for(path: Path, given: str | None) -> str:
    """The name event ids start with: given (checked), else derived from the file name."""
    if given is None:
        return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "import"
    if not SOURCE_ID.match(given):
        raise ConfigError(
            f"--source-id must be lower-case letters, digits, '-' or '_' (at most 64, starting with a letter "
            f"or digit), got {given!r}"
        )
    return given


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


class _RowReader:
    """The mapped values of one export row, converted; what does not convert is kept as it was."""

    def __init__(self, row: dict[str, str], row_no: int, mapping: dict[str, str], label: str) -> None:
        self.row, self.row_no, self.mapping, self.label = row, row_no, mapping, label
        self.problems: list[str] = []

    def text(self, target: str) -> str:
        return (self.row.get(self.mapping[target]) or "").strip() if target in self.mapping else ""

    def problem(self, target: str, message: str) -> None:
        column = self.mapping.get(target, target)
        self.problems.append(f"{self.label}: row {self.row_no}, column {column!r}: {message}")

    def amount(self, target: str, required: bool) -> str | None:
        raw = self.text(target)
        if not raw and not required:
            return None
        try:
            return str(_parse_amount(raw))
        except (InvalidOperation, ValueError):
            self.problem(target, f"not a decimal number >= 0: {raw!r}")
            return raw or None

    def when(self, date_format: str | None) -> str | None:
        raw = self.text("occurred_at")
        try:
            return _parse_when(raw, date_format)
        except ValueError:
            expected = f" in format {date_format}" if date_format else " (ISO-8601)"
            self.problem("occurred_at", f"not a date{expected}: {raw!r}")
            return raw or None


def _business_key(reader: _RowReader) -> str:
    order = reader.text("order_id")
    if order:
        return order
    values = "\x1f".join(reader.text(t) for t in sorted(reader.mapping))
    return hashlib.sha256(values.encode()).hexdigest()[:16]


class _Converter:
    """Export rows -> contract events, one row at a time: ids stay unique across the whole file."""

    def __init__(
        self,
        mapping: dict[str, str],
        source: str,
        default_currency: str | None,
        date_format: str | None,
        file_label: str,
    ) -> None:
        if default_currency and default_currency not in ISO_4217:
            raise ConfigError(f"--currency {default_currency!r} is not an ISO 4217 code")
        self.mapping, self.source, self.default_currency = mapping, source, default_currency
        self.date_format, self.file_label = date_format, file_label
        self.problems: list[str] = []
        self.seen: Counter[str] = Counter()

    def events(self, row: dict[str, str], row_no: int) -> list[dict[str, str | None]]:
        r = _RowReader(row, row_no, self.mapping, self.file_label)
        account = r.text("account_id")
        if not account:
            r.problem("account_id", "empty")
        when = r.when(self.date_format)
        amount = r.amount("amount", required=True)
        currency = r.text("currency").upper() or self.default_currency
        if not currency:
            r.problem("currency", "empty, and no --currency default given")
        elif currency not in ISO_4217:
            r.problem("currency", f"not an ISO 4217 code: {currency!r}")
        discount = r.amount("discount_amount", required=False)
        terms = r.text("payment_terms_days") or None
        if terms is not None and not terms.isdigit():
            r.problem("payment_terms_days", f"not a whole number >= 0: {terms!r}")
        self.problems += r.problems

        key = _business_key(r)
        self.seen[key] += 1
        if self.seen[key] > 1:
            key = f"{key}#{self.seen[key]}"
        source = self.source
        common: dict[str, str | None] = {
            "occurred_at": when,
            "account_id": account or None,
            "order_id": r.text("order_id") or f"ORD-{source}-{key}",
            "amount": amount,
            "currency": currency,
            "discount_amount": discount,
            "payment_terms_days": terms,
            "rep_id": r.text("rep_id") or None,
            "reason": None,
            "import_file": self.file_label,
            "import_row": str(row_no),
        }
        invoice = r.text("invoice_id") or f"INV-{source}-{key}"
        return [
            {
                "event_id": f"imp-{source}-{key}-order",
                "event_type": "order_placed",
                "invoice_id": None,
                **common,
            },
            {
                "event_id": f"imp-{source}-{key}-invoice",
                "event_type": "invoice_issued",
                "invoice_id": invoice,
                **common,
            },
        ]


def convert_rows(
    rows: list[dict[str, str]],
    mapping: dict[str, str],
    source: str,
    default_currency: str | None,
    date_format: str | None,
    file_label: str,
) -> Conversion:
    """Rows of the export -> contract events, and the problems found (row and column named)."""
    converter = _Converter(mapping, source, default_currency, date_format, file_label)
    events = [e for row_no, row in enumerate(rows, start=1) for e in converter.events(row, row_no)]
    return Conversion(events, converter.problems)


def _rejection(problems: list[str]) -> ImportRejected:
    shown = problems[:MAX_REPORTED_ERRORS]
    more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return ImportRejected(f"{len(problems)} problem(s); nothing was written:\n" + "\n".join(shown) + more)


def _decoded_lines(handle: BinaryIO, label: str) -> Iterator[str]:
    """The file's lines as text; bytes that are not UTF-8 stop the import naming the line and column (a
    decoder's byte position alone does not say which row to fix)."""
    for line_no, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                f"{label}: line {line_no}, byte {exc.start + 1} of that line: not UTF-8 "
                f"({raw[exc.start : exc.start + 4]!r}); save the export as UTF-8. Nothing was written"
            ) from None


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
    source_id: str | None = None,
    strict: bool = False,
) -> ImportResult:
    """Write the export's events as landing/sales/<arrival>/import-<source>.csv, streaming (the export is
    never held in memory whole). A landing file of that name with other content is never replaced: two
    exports whose names give the same source id on one arrival day are refused, not merged."""
    if not path.is_file():
        raise InputMissing(f"no such file: {path}")
    source = source_id_for(path, source_id)
    folder = landing / "sales" / arrival.isoformat()
    target = folder / f"import-{source}.csv"
    # written beside the stream folders (hidden, same file system) and moved into its day when complete:
    # a refused import leaves no file and no empty day behind
    landing.mkdir(parents=True, exist_ok=True)
    tmp = landing / f".import-{source}.csv.{os.getpid()}.tmp"
    names = [*contract_stream("sales").field_names, *TRACE_COLUMNS]
    schema = pa.schema([(n, pa.string()) for n in names])
    converter = _Converter(mapping, source, default_currency, date_format, path.name)
    rows = events = 0
    try:
        with path.open("rb") as handle, pacsv.CSVWriter(tmp, schema) as writer:
            reader = csv.DictReader(_decoded_lines(handle, path.name), delimiter=delimiter)
            header = list(reader.fieldnames or [])
            absent = [src for src in mapping.values() if src not in header]
            if absent:
                raise ConfigError(
                    f"{path.name}: column(s) {', '.join(map(repr, absent))} "
                    f"not in the header ({', '.join(header)})"
                )
            batch: list[dict[str, str | None]] = []
            for rows, row in enumerate(reader, start=1):
                batch += converter.events(row, rows)
                if len(batch) >= WRITE_BATCH_EVENTS:
                    writer.write_table(pa.Table.from_pylist(batch, schema))
                    events += len(batch)
                    batch = []
            writer.write_table(pa.Table.from_pylist(batch, schema))
            events += len(batch)
        if strict and converter.problems:
            raise _rejection(converter.problems)
        if target.exists() and not _same_bytes(tmp, target):
            raise ImportRejected(
                f"{target} already holds a different import with source id {source!r} (from another "
                f"export of that name, or an earlier version of this one); nothing was written. Give this "
                "export its own --source-id, or land it on another --arrival-date"
            )
        folder.mkdir(parents=True, exist_ok=True)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return ImportResult(path=target, rows=rows, events=events, problems=converter.problems)
