"""Read one landing file into an Arrow table, or say why it cannot be read.

Files are opened by name from Python and handed to DuckDB as Arrow tables: a name such as `p[1].parquet`
is a name, never a pattern. What each format yields:

- Parquet: the file's own columns and types (DuckDB turns them into text, the same way for every file).
  With `defer_parquet_rows`, only the footer is read here and DuckDB reads the rows straight from the file
  when staging (multi-threaded, no copy held in Python), unless the name holds a character DuckDB would
  expand as a pattern, or a column is named like one its reader adds;
- CSV: every column as text; only an empty cell is missing; rows with a wrong field count set aside;
- JSON Lines: one `_line` per non-blank line (DuckDB pulls the fields out); the non-JSON tokens `NaN` and
  `Infinity` become strings.

Every table gets `_row`, the 1-based record number in the file (the CSV header is not a record).
`records_in_file` is counted from the file itself (Parquet metadata, non-blank lines, CSV records),
independently of what happens to the rows later, so the audit identity can really fail.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.contract import StreamSchema

FORMATS = {".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
BOM = b"\xef\xbb\xbf"
# Parquet types that cannot carry an exact decimal amount: refused, never rounded.
INEXACT_NUMBER_TYPES = {pa.float16(): "float16", pa.float32(): "float32"}
# A file name with one of these is read here: DuckDB's reader would take it as a pattern.
GLOB_CHARACTERS = frozenset("*?[]{}\\")
# Columns DuckDB's reader adds to each row, and those staging adds: a file with one of them is read here.
RESERVED_COLUMNS = frozenset({"filename", "file_row_number", "_arrival_date", "_file", "_row"})


@dataclass
class FileRead:
    path: Path
    fmt: str
    content_hash: str
    records_in_file: int = 0
    table: pa.Table | None = None  # None when unreadable, or when the rows are deferred
    arrow_schema: pa.Schema | None = None  # the columns and their types, when readable
    # Parquet rows DuckDB reads from `path` when staging (only the footer was read here)
    rows_deferred: bool = False
    error: str | None = None
    # Why every row of a readable file is refused (e.g. a float32 amount column), else None.
    refused_because: str | None = None
    # Records that could not even be split into fields (CSV rows with a wrong field count):
    # (row number, raw text, reason)
    broken_rows: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.error is None


def file_format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def _with_rows(table: pa.Table, rows: pa.Array) -> pa.Table:
    return table.append_column("_row", rows)


def _inexact_decimal_columns(arrow: pa.Schema, schema: StreamSchema) -> list[str]:
    decimals = {f.name for f in schema.all_fields if f.kind == "decimal"}
    return [f.name for f in arrow if f.name in decimals and f.type in INEXACT_NUMBER_TYPES]


def _read_parquet(data: bytes, schema: StreamSchema, result: FileRead, defer_rows: bool) -> None:
    reader = pq.ParquetFile(pa.BufferReader(data))
    result.records_in_file = reader.metadata.num_rows
    arrow = result.arrow_schema = reader.schema_arrow
    inexact = _inexact_decimal_columns(arrow, schema)
    if inexact:
        result.refused_because = (
            f"invalid {inexact[0]}: a {INEXACT_NUMBER_TYPES[arrow.field(inexact[0]).type]} Parquet "
            "column cannot hold an "
            "exact decimal (write decimal, string or double)"
        )
    if defer_rows and not RESERVED_COLUMNS & set(arrow.names):
        result.rows_deferred = True
        return
    table = reader.read()
    table.validate(full=True)  # invalid UTF-8 in a string column makes the file unreadable, here
    result.table = _with_rows(table, pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64)))


def _count_csv_records(text: str) -> int:
    return sum(1 for record in csv.reader(io.StringIO(text)) if record) - 1  # minus the header


def _record_numbers(n_good: int, skipped: list[int]) -> pa.Array:
    """1-based record numbers of the good rows when the records in `skipped` were set aside."""
    numbers = np.arange(1, n_good + 1, dtype=np.int64)
    for s in sorted(skipped):  # few: only rows with a wrong field count
        numbers[numbers >= s] += 1
    return pa.array(numbers)


def _read_csv(data: bytes, result: FileRead) -> None:
    data = data.removeprefix(BOM)  # a byte-order mark is not part of the first column's name
    text = data.decode("utf-8")  # raises on bad encoding: the contract says UTF-8
    header = next(csv.reader([text.split("\n", 1)[0].strip("\r")]), [])
    if not header or not any(h.strip() for h in header):
        raise ValueError("no header row")
    result.records_in_file = max(_count_csv_records(text), 0)
    broken: list[tuple[int, str, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        expected, actual = row.expected_columns, row.actual_columns
        broken.append((row.number, row.text, f"malformed CSV row: expected {expected} fields, got {actual}"))
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            null_values=[""],  # only an empty cell is missing: `NA`, `NULL`, `N/A` are data
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    # Physical line numbers count the header as line 1; records are numbered from 1 after it.
    result.broken_rows = [(num - 1, line, reason) for num, line, reason in broken]
    rows = _record_numbers(table.num_rows, [num for num, _, _ in result.broken_rows])
    result.table = _with_rows(table, rows)
    result.arrow_schema = table.schema


# A JSON string literal, or one of the bare tokens Python's json.dumps writes for non-finite floats.
_JSON_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN')


def _quote_constants(line: str) -> str:
    """`NaN`, `Infinity` and `-Infinity` outside strings, as strings. They are not JSON, yet DuckDB's reader
    takes them as numbers: a decimal field then failed its whole load transaction, and an extra field
    made `extra_fields` invalid JSON. As text, a decimal field's row is quarantined with a reason."""
    if "NaN" not in line and "Infinity" not in line:
        return line
    return _JSON_STRING_OR_CONSTANT.sub(lambda m: m[0] if m[0][0] == '"' else f'"{m[0]}"', line)


def _read_jsonl(data: bytes, result: FileRead) -> None:
    lines = data.decode("utf-8").split("\n")
    numbered = [(i + 1, _quote_constants(line)) for i, line in enumerate(lines) if line.strip()]
    result.records_in_file = sum(1 for line in data.split(b"\n") if line.strip())
    result.table = pa.table(
        {
            "_row": pa.array([n for n, _ in numbered], pa.int64()),
            "_line": pa.array([line for _, line in numbered], pa.string()),
        }
    )
    result.arrow_schema = result.table.schema


class _NotARegularFile(Exception):
    pass


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _regular_file_bytes(path: Path) -> bytes:
    """The bytes of `path` when it is a regular file itself. A symbolic link is never followed (a link to
    /etc/passwd would copy a system file into raw.quarantine), and a directory, device or pipe is never
    read; the check is on the opened descriptor, so a swap after listing changes nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _NotARegularFile("a symbolic link (landing files are read only as regular files)") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _NotARegularFile(f"{_kind(mode)}, not a regular file")
        return handle.read()


def read_file(path: Path, schema: StreamSchema, defer_parquet_rows: bool = False) -> FileRead:
    """Read a landing file; any failure is recorded on the result, never raised."""
    fmt = file_format(path) or "unknown"
    try:
        data = _regular_file_bytes(path)
    except _NotARegularFile as exc:
        return FileRead(path=path, fmt=fmt, content_hash="", error=f"refused, never read: {exc}")
    except OSError as exc:
        return FileRead(path=path, fmt=fmt, content_hash="", error=f"cannot open file: {exc}")
    result = FileRead(path=path, fmt=fmt, content_hash=hashlib.sha256(data).hexdigest())
    if not data:
        return result  # an empty export (a day without events) in any format: readable, no records
    try:
        if fmt == "parquet":
            defer = defer_parquet_rows and not GLOB_CHARACTERS & set(str(path))
            _read_parquet(data, schema, result, defer)
        elif fmt == "jsonl":
            _read_jsonl(data, result)
        elif fmt == "csv":
            _read_csv(data, result)
        else:
            result.error = f"unsupported file type {path.suffix!r} (expected .parquet, .jsonl or .csv)"
    except (pa.ArrowException, UnicodeDecodeError, OSError, ValueError) as exc:
        first_line = (str(exc).splitlines() or [""])[0][:300]
        result.table, result.broken_rows, result.records_in_file = None, [], 0
        result.arrow_schema, result.rows_deferred = None, False
        result.error = f"unreadable {fmt} file: {type(exc).__name__}: {first_line}"
    return result
