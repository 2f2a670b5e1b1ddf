"""Write a stream table as landing files: one file per stream, arrival day and chunk, in the chosen format."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMAT_EXTENSIONS = {"parquet": "parquet", "jsonl": "jsonl", "csv": "csv"}


def _public(table: pa.Table) -> pa.Table:
    """Drop bookkeeping columns (leading underscore) and arrival_date: the folder carries the arrival day."""
    return table.select([c for c in table.column_names if not c.startswith("_") and c != "arrival_date"])


def _json_lines(table: pa.Table) -> list[str]:
    con = duckdb.connect()
    con.register("t", table)
    # to_json on the row struct keeps column order, so output is byte-stable.
    lines = con.sql("select to_json(t) from t").to_arrow_table().column(0).to_pylist()
    con.close()
    return lines


def _break(line: str) -> str:
    """A malformed line: JSON cut in the middle, or a CSV row with a field missing."""
    return line[: max(1, len(line) // 2)] if line.startswith("{") else line.rsplit(",", 2)[0]


def write_day_files(
    table: pa.Table, stream: str, landing: Path, fmt: str, chunk: int
) -> tuple[int, list[dict]]:
    """Write one file per arrival day; returns the file count and one record per planted-fault row."""
    table = table.sort_by(
        [
            ("arrival_date", "ascending"),
            ("_seconds", "ascending"),
            ("event_id", "ascending"),
            ("_copy", "ascending"),
        ]
    )
    days = table["arrival_date"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, days[1:] != days[:-1], True])
    public = _public(table)
    lines = _json_lines(public) if fmt == "jsonl" else []
    faults = table["_fault"].to_numpy(zero_copy_only=False)
    malformed = faults == "malformed_line"
    records: list[dict] = []

    def write(lo: int, hi: int, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = public.slice(lo, hi - lo)
        if fmt == "parquet":
            pq.write_table(part, path)
        elif fmt == "jsonl":
            day_lines = [
                (_break(x) if m else x) for x, m in zip(lines[lo:hi], malformed[lo:hi], strict=False)
            ]
            path.write_text("\n".join(day_lines) + "\n", encoding="utf-8")
        else:
            buf = io.BytesIO()
            pacsv.write_csv(part, buf)
            text = buf.getvalue().decode("utf-8").splitlines()
            text[1:] = [(_break(x) if m else x) for x, m in zip(text[1:], malformed[lo:hi], strict=False)]
            path.write_text("\n".join(text) + "\n", encoding="utf-8")

    # Files are independent, and pyarrow releases the GIL while writing: two threads use both cores.
    paths = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = []
        for lo, hi in pairwise(bounds):
            day = str(days[lo])
            path = landing / stream / day / f"{stream}-{day}-c{chunk:03d}.{FORMAT_EXTENSIONS[fmt]}"
            paths.append(path)
            futures.append(pool.submit(write, int(lo), int(hi), path))
        for future in futures:
            future.result()  # re-raise any write error here

    file_of_row = np.searchsorted(bounds, np.arange(table.num_rows), side="right") - 1
    for i in np.flatnonzero(pc.is_valid(table["_fault"]).to_numpy(zero_copy_only=False)):
        f = file_of_row[i]
        records.append(
            {
                "stream": stream,
                "arrival_date": str(days[i]),
                "file": str(paths[f].relative_to(landing)),
                "row_number": int(i - bounds[f]) + 1,
                "event_id": table["event_id"][int(i)].as_py(),
                "fault": faults[i],
            }
        )
    return len(paths), records
