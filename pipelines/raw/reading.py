"""Read one landing file into an Arrow table of text columns, or say why it cannot be read.

Every format ends up as either contract columns (+ `_extra` for unknown columns) or raw JSON lines
(`_line`), with `_row`: the 1-based record number in the file (the CSV header is not a record).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.contract import StreamSchema

FORMATS = {".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


@dataclass
class FileRead:
    path: Path
    fmt: str
    content_hash: str
    table: pa.Table | None = None  # None when unreadable
    error: str | None = None
    # Records that could not even be split into fields (CSV rows with a wrong field count):
    # (row number, raw text, reason)
    broken_rows: list[tuple[int, str, str]] = field(default_factory=list)


def file_format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def _text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return col if pa.types.is_string(col.type) else pc.cast(col, pa.string())


def _columnar(table: pa.Table, schema: StreamSchema, rows: pa.Array) -> pa.Table:
    """Contract columns as text (null where absent); every other column kept in the `_extra` struct."""
    n = table.num_rows
    cols = {"_row": rows}
    for name in schema.field_names:
        cols[name] = _text(table[name]) if name in table.column_names else pa.nulls(n, pa.string())
    extra = [c for c in table.column_names if c not in schema.field_names]
    if extra:
        arrays = [_text(table[c]).combine_chunks() for c in extra]
        cols["_extra"] = pa.StructArray.from_arrays(arrays, names=extra)
    else:
        cols["_extra"] = pa.nulls(n, pa.struct([("_", pa.string())]))
    cols["_line"] = pa.nulls(n, pa.string())
    return pa.table(cols)


def _read_csv(data: bytes, schema: StreamSchema) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    text = data.decode("utf-8")  # raises on bad encoding: the contract says UTF-8
    header = next(csv.reader([text.split("\n", 1)[0].strip("\r")]), [])
    if not header or not any(h.strip() for h in header):
        raise ValueError("no header row")
    broken: list[tuple[int, str, str]] = []

    def on_invalid(row) -> str:
        broken.append(
            (
                row.number,
                row.text,
                f"malformed CSV row: expected {row.expected_columns} fields, got {row.actual_columns}",
            )
        )
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    # Physical line numbers count the header as line 1; records are numbered from 1 after it.
    broken = [(num - 1, text, reason) for num, text, reason in broken]
    skipped = sorted(num for num, _, _ in broken)
    rows = _record_numbers(table.num_rows, skipped)
    return _columnar(table, schema, rows), broken


def _record_numbers(n_good: int, skipped: list[int]) -> pa.Array:
    """1-based record numbers of the good rows when the records in `skipped` were set aside."""
    numbers = np.arange(1, n_good + 1, dtype=np.int64)
    for s in skipped:  # few: only rows with a wrong field count
        numbers[numbers >= s] += 1
    return pa.array(numbers)


def _read_jsonl(data: bytes) -> pa.Table:
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = [i + 1 for i, line in enumerate(lines) if line.strip()]
    kept = [line for line in lines if line.strip()]
    return pa.table({"_row": pa.array(rows, pa.int64()), "_line": pa.array(kept, pa.string())})


def read_file(path: Path, schema: StreamSchema) -> FileRead:
    data = path.read_bytes()
    fmt = file_format(path) or "unknown"
    result = FileRead(path=path, fmt=fmt, content_hash=hashlib.sha256(data).hexdigest())
    try:
        if fmt == "parquet":
            table = pq.read_table(pa.BufferReader(data))
            result.table = _columnar(table, schema, pa.array(range(1, table.num_rows + 1), pa.int64()))
        elif fmt == "jsonl":
            result.table = _read_jsonl(data)
        elif fmt == "csv":
            result.table, result.broken_rows = _read_csv(data, schema)
        else:
            result.error = f"unsupported file type {path.suffix!r} (expected .parquet, .jsonl or .csv)"
    except (pa.ArrowException, UnicodeDecodeError, OSError, ValueError) as exc:
        result.table, result.broken_rows = None, []
        result.error = f"unreadable {fmt} file: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    return result
