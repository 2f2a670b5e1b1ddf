"""Fault injection (--faults): the bad input a real feed sends, planted at the documented FAULT_RATES.

Faulty rows are few (well under 1%), so they are mutated as Python dicts; the clean bulk stays columnar.
Every planted row carries `_fault` so the sidecar can list exactly what the ingester must catch.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract import stream as contract_stream
from pipelines.simulator.params import FAULT_RATES, FAULT_STREAMS

TEXT_FORMATS = ("jsonl", "csv")
BAD_TIMESTAMPS = ("2024-13-45T10:00:00Z", "not a date", "31/12/2024 10:00")
BAD_CURRENCIES = ("EURO", "E$R", "ABC")


def _shift_days(day: date | None, days: int) -> date | None:
    return None if day is None else day + np.timedelta64(int(days), "D").astype(object)


def _mutate(fault: str, row: dict, name: str, k: int) -> dict:
    row = dict(row)
    if fault == "missing_required_field":
        required = contract_stream(name).required_fields(row["event_type"])
        row[required[k % len(required)]] = None
    elif fault == "bad_timestamp":
        row["occurred_at"] = BAD_TIMESTAMPS[k % len(BAD_TIMESTAMPS)]
    elif fault == "unknown_event_type":
        row["event_type"] = row["event_type"][:-1] + "x"
    elif fault == "negative_amount":
        row["amount"] = "-" + row["amount"]
    elif fault == "bad_currency":
        row["currency"] = BAD_CURRENCIES[k % len(BAD_CURRENCIES)]
    elif fault == "wrong_type":
        if name == "sales":
            if k % 2 and row.get("payment_terms_days"):
                row["payment_terms_days"] = "thirty"
            else:
                row["amount"] = row["amount"].replace(".", ",") + " EUR"
        else:
            row["csat_score"] = "five"
    return row


def _eligible(table: pa.Table, fault: str) -> np.ndarray:
    n = table.num_rows
    if fault in ("negative_amount", "bad_currency"):
        return pc.is_valid(table["amount"]).to_numpy(zero_copy_only=False)
    if fault == "wrong_type" and "csat_score" in table.column_names:
        return pc.is_valid(table["csat_score"]).to_numpy(zero_copy_only=False)
    if fault == "wrong_type":
        return pc.is_valid(table["amount"]).to_numpy(zero_copy_only=False)
    return np.ones(n, dtype=bool)


def inject_faults(table: pa.Table, name: str, fmt: str, rng: np.random.Generator) -> pa.Table:
    """Return the stream table with planted faults; adds `_fault` (null on clean rows) and `_copy`."""
    n = table.num_rows
    taken = np.zeros(n, dtype=bool)
    replaced: list[dict] = []
    added: list[dict] = []
    for fault, rate in FAULT_RATES.items():
        if name not in FAULT_STREAMS[fault] or (fault == "malformed_line" and fmt not in TEXT_FORMATS):
            continue
        eligible = _eligible(table, fault) & ~taken
        pick = np.flatnonzero((rng.uniform(size=n) < rate) & eligible)
        if pick.size == 0 and eligible.any():  # small runs still get at least one of every fault
            pick = rng.choice(np.flatnonzero(eligible), size=1)
        taken[pick] |= fault not in ("duplicate_exact", "conflicting_event_id")
        rows = table.take(pa.array(pick, pa.int64())).to_pylist()
        for k, row in enumerate(rows):
            if fault in ("duplicate_exact", "conflicting_event_id"):
                copy = dict(row, _copy=1, _fault=fault)
                copy["arrival_date"] = _shift_days(
                    row["arrival_date"], int(rng.integers(0, 2) * rng.integers(1, 6))
                )
                if fault == "conflicting_event_id":
                    if row.get("amount"):
                        copy["amount"] = f"{float(row['amount']) + 1:.2f}"
                    else:
                        copy["occurred_at"] = row["occurred_at"][:11] + "23:59:59Z"
                        if copy["occurred_at"] == row["occurred_at"]:
                            copy["occurred_at"] = row["occurred_at"][:11] + "23:59:58Z"
                added.append(copy)
            else:
                replaced.append(dict(_mutate(fault, row, name, k), _copy=0, _fault=fault))

    clean = table.filter(pa.array(~taken)).append_column("_copy", pa.array(np.zeros((~taken).sum(), np.int8)))
    clean = clean.append_column("_fault", pa.nulls(clean.num_rows, pa.string()))
    if not replaced and not added:
        return clean
    schema = clean.schema
    extra = pa.Table.from_pylist(replaced + added, schema=schema)
    return pa.concat_tables([clean, extra])
