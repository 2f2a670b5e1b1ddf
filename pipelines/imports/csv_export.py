"""`lifecycle import-csv`: a customer's own sales export (one row per sale) -> contract landing files.

Each row becomes an `order_placed` and an `invoice_issued` event; a row with a negative amount (a refund)
becomes a `credit_note_issued` of the amount's size instead, against the invoice of the order it names.
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

import codecs
import csv
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO, Literal

import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines.contract import PROVENANCE_FIELDS
from pipelines.contract import stream as contract_stream
from pipelines.contract.currencies import ISO_4217
from pipelines.errors import ConfigError, InputMissing, InputRejected

REQUIRED_TARGETS = ("account_id", "occurred_at", "amount")
OPTIONAL_TARGETS = ("order_id", "invoice_id", "currency", "discount_amount", "payment_terms_days", "rep_id")
MAX_REPORTED_ERRORS = 20
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TRACE_COLUMNS = PROVENANCE_FIELDS  # extra columns: which file and row delivered each event
WRITE_BATCH_EVENTS = 20_000  # events converted before they are written: memory stays flat
NEGATIVE = ("credit", "reject")
DRY_RUN_EVENTS = 10  # events a dry run shows
XLSX_SUFFIXES = (".xlsx", ".xlsm")

# A number as exports write it: digits with an optional sign, thousands separators only between groups of
# three digits (so `351,86` is never read as 35186), and a decimal part. `{t}` and `{d}` are the
# separators: thousands (any of `t`) and decimal.
_NUMBER = r"[+-]?(?:\d{{1,3}}(?:[{t}]\d{{3}})+|\d+)(?:{d}\d+)?"
_POINT = re.compile(_NUMBER.format(t=",' \u00a0\u202f", d=r"\."))
_COMMA = re.compile(_NUMBER.format(t=".' \u00a0\u202f", d=","))


class ImportRejected(InputRejected):
    """Rows that cannot be imported; the message lists them by row number and column."""


@dataclass(frozen=True)
class ExportFormat:
    """How an export writes its values (each has a flag of `lifecycle import-csv`)."""

    delimiter: str = ","
    encoding: str = "utf-8"
    decimal_comma: bool = False  # 1.067,42 (else 1,067.42)
    date_format: str | None = None  # strptime format; None: ISO-8601
    negative: Literal["credit", "reject"] = "credit"  # a negative amount: a credit note, or a bad value
    sheet: str | None = None  # an .xlsx workbook's sheet (default: the first)

    def __post_init__(self) -> None:
        if len(self.delimiter) != 1:
            raise ConfigError(f"--delimiter must be one character, got {self.delimiter!r}")
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ConfigError(f"--encoding {self.encoding!r} is not an encoding Python knows") from None
        if self.negative not in NEGATIVE:
            raise ConfigError(f"--negative must be one of {', '.join(NEGATIVE)}, got {self.negative!r}")


EFFECTS = ("paid", "pending", "cancelled", "refunded", "skip")


@dataclass(frozen=True)
class StatusRule:
    """What a status column's values mean (`--status-column`, `--status-map value=effect`):

    paid       an order and its invoice (the default without a status column)
    pending    an order, no invoice (not revenue yet)
    cancelled  an order and its cancellation, no invoice
    refunded   an order, its invoice and a credit note of the whole amount (net revenue 0)
    skip       nothing (e.g. the further line-item rows of an order, whose status is empty)

    Values are compared without case and surrounding spaces; a value the map does not name is a problem
    of its row, which is then not written."""

    column: str
    effects: dict[str, str]

    def __post_init__(self) -> None:
        bad = {v: e for v, e in self.effects.items() if e not in EFFECTS}
        if bad:
            raise ConfigError(
                f"--status-map effects must be one of {', '.join(EFFECTS)}; got "
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


@dataclass(frozen=True)
class Problem:
    """A value that does not convert: the row is written as it was, for the quarantine."""

    file: str
    row: int
    column: str
    reason: str  # what is wrong, without the value: problems are grouped by it
    value: str | None = None

    def __str__(self) -> str:
        shown = f": {self.value!r}" if self.value is not None else ""
        return f"{self.file}: row {self.row}, column {self.column!r}: {self.reason}{shown}"


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


def grouped(problems: Iterable[Problem]) -> list[tuple[str, str, int, Problem]]:
    """(column, reason, count, first problem) per kind of problem, most frequent first."""
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Problem] = {}
    for p in problems:
        counts[(p.column, p.reason)] += 1
        first.setdefault((p.column, p.reason), p)
    return [(col, reason, n, first[(col, reason)]) for (col, reason), n in counts.most_common()]


def parse_mapping(items: list[str], require: bool = True) -> dict[str, str]:
    """`SRC=DST` pairs -> {DST: SRC}; DST must be a contract field the importer fills. `require`: the
    pairs must name every required field (not when a preset names them)."""
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


def landing_name(path: Path, system: str | None) -> str:
    """The landing file of an export: its system and its own name (never a name another export has)."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "import"
    return f"import-{system}-{stem}.csv" if system else f"import-{stem}.csv"


def parse_amount(text: str, decimal_comma: bool = False) -> Decimal:
    """An exported number (`1.067,42` with decimal_comma, `1,067.42` without) as an exact decimal."""
    if not (_COMMA if decimal_comma else _POINT).fullmatch(text):
        raise InvalidOperation(text)
    whole, _, fraction = text.partition("," if decimal_comma else ".")  # the pattern allows one
    digits = re.sub(r"[.,' \u00a0\u202f]", "", whole)
    return Decimal(f"{digits}.{fraction}" if fraction else digits)


def parse_when(text: str, date_format: str | None) -> str:
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

    def __init__(
        self, row: dict[str, str], row_no: int, mapping: dict[str, str], label: str, fmt: ExportFormat
    ) -> None:
        self.row, self.row_no, self.mapping, self.label, self.fmt = row, row_no, mapping, label, fmt
        self.found: list[Problem] = []

    def text(self, target: str) -> str:
        return (self.row.get(self.mapping[target]) or "").strip() if target in self.mapping else ""

    def problem(self, target: str, reason: str, value: str | None = None) -> None:
        self.found.append(Problem(self.label, self.row_no, self.mapping.get(target, target), reason, value))

    def amount(self, target: str, required: bool, signed: bool = False) -> Decimal | str | None:
        """The value as a decimal (>= 0 unless `signed`), else the text as it was (a problem noted)."""
        raw = self.text(target)
        if not raw and not required:
            return None
        try:
            value = parse_amount(raw, self.fmt.decimal_comma)
            if value < 0 and not signed:
                raise InvalidOperation(raw)
            return value
        except (InvalidOperation, ValueError):
            hint = (
                ""
                if self.fmt.decimal_comma or not re.fullmatch(r"-?\d+,\d{1,2}", raw)
                else " (--decimal-comma?)"
            )
            kind = "a decimal number" if signed else "a decimal number >= 0"
            self.problem(target, f"not {kind}{hint}", raw)
            return raw or None

    def when(self) -> str | None:
        raw = self.text("occurred_at")
        try:
            return parse_when(raw, self.fmt.date_format)
        except ValueError:
            expected = f" in format {self.fmt.date_format}" if self.fmt.date_format else " (ISO-8601)"
            self.problem("occurred_at", f"not a date{expected}", raw)
            return raw or None


def _row_hash(reader: _RowReader) -> str:
    values = "\x1f".join(reader.text(t) for t in sorted(reader.mapping))
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def _is_credit(reader: _RowReader, fmt: ExportFormat) -> bool:
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
    reader = _RowReader(row, 0, mapping, "", fmt)
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
        r = _RowReader(row, row_no, self.mapping, self.file_label, self.fmt)
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
        key = order if order else _row_hash(r)
        if order and (order, credit) in self.shared_orders:
            key = f"{order}~{_row_hash(r)}"
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


def _decoded_lines(handle: BinaryIO, label: str, encoding: str) -> Iterator[str]:
    """The file's lines as text; bytes that do not decode stop the import naming the line and column (a
    decoder's byte position alone does not say which row to fix). A UTF-8 byte order mark is dropped."""
    utf8 = codecs.lookup(encoding).name == "utf-8"
    for line_no, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8-sig" if utf8 and line_no == 1 else encoding)
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                f"{label}: line {line_no}, byte {exc.start + 1} of that line: not {encoding} "
                f"({raw[exc.start : exc.start + 4]!r}); give the export's --encoding (e.g. cp1252) or save "
                "it as UTF-8. Nothing was written"
            ) from None


def _rows(path: Path, fmt: ExportFormat, mapping: dict[str, str]) -> Iterator[dict[str, str]]:
    """The export's rows as {column: text}, streamed; a mapped column missing from the header stops it."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        yield from _checked(path, fmt, mapping, _sheet_rows(path, fmt))
        return
    with path.open("rb") as handle:
        reader = csv.reader(_decoded_lines(handle, path.name, fmt.encoding), delimiter=fmt.delimiter)
        yield from _checked(path, fmt, mapping, reader)


def _checked(
    path: Path, fmt: ExportFormat, mapping: dict[str, str], lines: Iterator[list[str]]
) -> Iterator[dict[str, str]]:
    """Rows of `lines` (the first is the header) as dicts; stops at once when a mapped column is absent."""
    header = next(lines, [])
    absent = [src for src in mapping.values() if src not in header]
    if absent:
        raise ConfigError(
            f"{path.name}: column(s) {', '.join(map(repr, absent))} not in the header ({', '.join(header)})"
            + (f"; is --delimiter {fmt.delimiter!r} the export's?" if len(header) == 1 else "")
        )
    for values in lines:
        yield dict(zip(header, values, strict=False))


def _sheet_rows(path: Path, fmt: ExportFormat) -> Iterator[list[str]]:
    """An .xlsx sheet's rows as text, as an export would have written them: numbers exact and with the
    export's decimal mark, dates and times in --date-format (else ISO-8601); empty rows left out."""
    import zipfile

    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as exc:
        raise ImportRejected(f"{path.name}: not an .xlsx workbook ({exc}); nothing was written") from None
    try:
        if fmt.sheet is not None and fmt.sheet not in book.sheetnames:
            raise ConfigError(f"{path.name}: no sheet {fmt.sheet!r}; it has {', '.join(book.sheetnames)}")
        sheet = book[fmt.sheet] if fmt.sheet else book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            if any(v is not None and v != "" for v in values):
                yield [_cell_text(v, fmt) for v in values]
    finally:
        book.close()


def _cell_text(value: object, fmt: ExportFormat) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime | date):
        if fmt.date_format:
            return value.strftime(fmt.date_format)
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        text = format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")
        return text.replace(".", ",") if fmt.decimal_comma else text
    return str(value)


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
) -> ImportResult:
    """Write the export's events as landing/sales/<arrival>/import-[<system>-]<file>.csv, streaming (the
    export is never held in memory whole; it is read twice: first for the orders that have several rows).
    A landing file of that name with other content is never replaced: another version of the same export
    on the same arrival day is refused, not merged."""
    if not path.is_file():
        raise InputMissing(f"no such file: {path}")
    fmt = fmt or ExportFormat(delimiter=delimiter, date_format=date_format)
    system = system_name(system)
    folder = landing / "sales" / arrival.isoformat()
    target = folder / landing_name(path, system)
    columns = {**mapping, "status": status.column} if status else mapping
    shared = shared_order_keys(order_key(row, mapping, fmt, status) for row in _rows(path, fmt, columns))
    # written beside the stream folders (hidden, same file system) and moved into its day when complete:
    # a refused import leaves no file and no empty day behind
    landing.mkdir(parents=True, exist_ok=True)
    tmp = landing / f".{target.name}.{os.getpid()}.tmp"
    names = [*contract_stream("sales").field_names, *TRACE_COLUMNS]
    schema = pa.schema([(n, pa.string()) for n in names])
    converter = _Converter(mapping, system, default_currency, fmt, path.name, shared, status)
    rows = events = 0
    preview: list[dict[str, str | None]] = []
    try:
        with pacsv.CSVWriter(tmp, schema) as writer:
            batch: list[dict[str, str | None]] = []
            for rows, row in enumerate(_rows(path, fmt, columns), start=1):
                batch += converter.events(row, rows)
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
    )
