"""Reading an export: its rows as text (CSV in any encoding and delimiter, or an .xlsx sheet), and its
values converted as the export writes them (numbers with thousands separators and either decimal mark,
dates in a given format). What does not convert is kept as it was and noted as a `Problem` of its row and
column, so the ingester can quarantine it with that reason.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO, Literal

from pipelines.errors import ConfigError, InputRejected

NEGATIVE = ("credit", "reject")
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


def grouped(problems: Iterable[Problem]) -> list[tuple[str, str, int, Problem]]:
    """(column, reason, count, first problem) per kind of problem, most frequent first."""
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Problem] = {}
    for p in problems:
        counts[(p.column, p.reason)] += 1
        first.setdefault((p.column, p.reason), p)
    return [(col, reason, n, first[(col, reason)]) for (col, reason), n in counts.most_common()]


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


class RowReader:
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

    def when(self, target: str = "occurred_at", required: bool = True) -> str | None:
        """The date or time in UTC, else the text as it was (a problem noted); None when an optional
        column is empty."""
        raw = self.text(target)
        if not raw and not required:
            return None
        try:
            return parse_when(raw, self.fmt.date_format)
        except ValueError:
            expected = f" in format {self.fmt.date_format}" if self.fmt.date_format else " (ISO-8601)"
            self.problem(target, f"not a date{expected}", raw)
            return raw or None


def row_hash(reader: RowReader) -> str:
    values = "\x1f".join(reader.text(t) for t in sorted(reader.mapping))
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def decoded_lines(handle: BinaryIO, label: str, encoding: str) -> Iterator[str]:
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


def _lines(path: Path, fmt: ExportFormat) -> Iterator[list[str]]:
    if path.suffix.lower() in XLSX_SUFFIXES:
        yield from sheet_rows(path, fmt)
        return
    with path.open("rb") as handle:
        yield from csv.reader(decoded_lines(handle, path.name, fmt.encoding), delimiter=fmt.delimiter)


def export_rows(path: Path, fmt: ExportFormat, mapping: dict[str, str]) -> Iterator[dict[str, str]]:
    """The export's rows as {column: text}, streamed; a mapped column missing from the header stops it."""
    yield from checked_rows(path, fmt, mapping, _lines(path, fmt))


def export_header(path: Path, fmt: ExportFormat) -> list[str]:
    """The export's column names (its first row)."""
    lines = _lines(path, fmt)
    try:
        return next(lines, [])
    finally:
        lines.close()  # type: ignore[attr-defined]


def checked_rows(
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


def sheet_rows(path: Path, fmt: ExportFormat) -> Iterator[list[str]]:
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
                yield [cell_text(v, fmt) for v in values]
    finally:
        book.close()


def cell_text(value: object, fmt: ExportFormat) -> str:
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
