"""Writing hand-made events as landing files, the way a producer would."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.contract import stream as contract_stream


def write_jsonl(landing: Path, stream: str, arrival: date | str, name: str, rows: list[dict]) -> Path:
    folder = landing / stream / str(arrival)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_parquet(landing: Path, stream: str, arrival: date | str, name: str, rows: list[dict]) -> Path:
    folder = landing / stream / str(arrival)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(contract_stream(stream).field_names)
    names += [k for r in rows for k in r if k not in names]
    table = pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in dict.fromkeys(names)})
    path = folder / name
    pq.write_table(table, path)
    return path


def invoice_row(
    event_id: str, amount: str = "10.00", occurred_at: str = "2024-03-04T10:00:00Z", **extra: str
) -> dict:
    """One contract row: an invoice of account A (extra fields as given)."""
    return {
        "event_id": event_id,
        "event_type": "invoice_issued",
        "occurred_at": occurred_at,
        "account_id": "A",
        "order_id": "o1",
        "invoice_id": "i1",
        "amount": amount,
        "currency": "EUR",
        **extra,
    }


def scenario_events(account: str, events: list[dict]) -> dict[str, list[dict]]:
    """Golden-scenario events -> contract rows per stream (late in the day, to exercise UTC dates)."""
    by_stream: dict[str, list[dict]] = {"sales": [], "service": [], "contact": []}
    for i, e in enumerate(events):
        row = {
            "event_id": f"{account}-{i:03d}",
            "event_type": e["type"],
            "occurred_at": f"{e['date']}T15:30:00Z",
            "account_id": account,
        }
        for key, value in e.items():
            if key not in ("date", "stream", "type"):
                row[key] = value
        by_stream[e["stream"]].append(row)
    return by_stream


# A small customer: one order with its invoice, then a call.
SMALL_ACCOUNT_HISTORY = [
    {
        "stream": "sales",
        "type": "order_placed",
        "date": "2024-03-01",
        "amount": "10",
        "currency": "EUR",
        "order_id": "o1",
    },
    {
        "stream": "sales",
        "type": "invoice_issued",
        "date": "2024-03-01",
        "invoice_id": "i1",
        "amount": "10",
        "currency": "EUR",
        "order_id": "o1",
    },
    {"stream": "contact", "type": "call", "date": "2024-03-05", "contact_person_id": "p1"},
]


def land_small_account(landing: Path, account: str, arrival: date | str) -> None:
    """Land SMALL_ACCOUNT_HISTORY for `account` as JSON Lines files of one arrival day."""
    for stream, rows in scenario_events(account, SMALL_ACCOUNT_HISTORY).items():
        write_jsonl(landing, stream, arrival, f"{account}.jsonl", rows)
