"""Turn integer-coded event columns into contract text columns (pyarrow compute, no Python loop per row)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract import stream as contract_stream
from pipelines.simulator.accounts import Accounts
from pipelines.simulator.events import CANCEL_REASONS, CREDIT_REASONS, SALES_TYPES, Frame
from pipelines.simulator.params import SimulationParams

SECONDS_PER_DAY = 86_400
ID_PREFIX = {"sales": "S", "service": "V", "contact": "C"}


def _masked(values: np.ndarray) -> pa.Array:
    return pa.array(values, mask=values < 0)


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(_masked(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def lookup(names: list[str] | tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(list(names), pa.string()), _masked(codes))


def cents_to_text(cents: np.ndarray) -> pa.Array:
    whole = pc.cast(_masked(np.where(cents < 0, -1, cents // 100)), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(np.abs(cents) % 100), pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def timestamps_to_text(seconds: np.ndarray, offset_hours: np.ndarray) -> pa.Array:
    """ISO-8601 text: UTC as ...Z, or local wall time with its +HH:00 offset (same instant)."""
    local = pa.array(seconds + offset_hours * 3600, pa.timestamp("s"))
    # cast + replace is ~10x faster than strftime for millions of rows
    wall = pc.replace_substring(pc.cast(local, pa.string()), " ", "T")
    suffix = pc.take(pa.array(["Z", "+01:00", "+02:00"]), pa.array(offset_hours))
    return pc.binary_join_element_wise(wall, suffix, "")


def render_stream(
    name: str,
    frame: Frame,
    acc: Accounts,
    p: SimulationParams,
    chunk: int,
    rng: np.random.Generator,
    end_day: int,
) -> pa.Table:
    """One chunk's events of a stream as contract text columns plus `arrival_date`, in event-time order."""
    keep = frame["t"] < end_day + 1  # events after the simulated period have not happened yet
    frame = {k: v[keep] for k, v in frame.items()}
    order = np.lexsort((frame["type"], frame["account"], frame["t"]))
    frame = {k: v[order] for k, v in frame.items()}
    n = frame["t"].size

    seconds = np.floor(frame["t"] * SECONDS_PER_DAY).astype(np.int64)
    offset = np.where(rng.uniform(size=n) < p.p_offset_timestamp, rng.integers(1, 3, n), 0)
    late = rng.uniform(size=n) < p.p_late_arrival
    delay = np.where(late, rng.integers(1, p.late_arrival_max_days + 1, n), 0)
    arrival = (seconds // SECONDS_PER_DAY + delay).astype("int32")

    schema = contract_stream(name)
    tag = f"{chunk:03d}-"
    cols: dict[str, pa.Array] = {
        "event_id": ids(f"{ID_PREFIX[name]}{tag}", np.arange(n), 9),
        "event_type": lookup(schema.event_types, frame["type"]),
        "occurred_at": timestamps_to_text(seconds, offset),
        "account_id": ids("ACC-", acc.number[frame["account"]], 7),
    }
    if name == "sales":
        is_credit = frame["type"] == SALES_TYPES["credit_note_issued"]
        reasons = np.where(
            frame["reason"] < 0, -1, frame["reason"] + np.where(is_credit, len(CANCEL_REASONS), 0)
        )
        cols |= {
            "order_id": ids(f"ORD-{tag}", frame["order"], 8),
            "invoice_id": ids(f"INV-{tag}", frame["invoice"], 8),
            "amount": cents_to_text(frame["amount"]),
            "currency": lookup(list(p.currency_mix), frame["currency"]),
            "discount_amount": cents_to_text(frame["discount"]),
            "payment_terms_days": pc.cast(_masked(frame["terms"]), pa.string()),
            "rep_id": ids("REP-", frame["rep"], 3),
            "reason": lookup(CANCEL_REASONS + CREDIT_REASONS, reasons),
        }
    elif name == "service":
        cols |= {
            "ticket_id": ids(f"TKT-{tag}", frame["ticket"], 8),
            "category": lookup(list(p.ticket_category_mix), frame["category"]),
            "severity": lookup(("low", "normal", "high"), frame["severity"]),
            "csat_score": pc.cast(_masked(frame["csat"]), pa.string()),
            "agent_id": ids("AGT-", frame["agent"], 3),
        }
    else:
        # Pseudonymous person ids: a multiplicative hash of (account, person) so they carry no name.
        raw = (acc.number[frame["account"]] * 16 + frame["person"]) * 2654435761 % (2**32)
        region = frame["region"]
        countries = [c for cs in p.region_countries.values() for c in cs]
        offsets = np.cumsum([0, *(len(cs) for cs in p.region_countries.values())])[:-1]
        country = np.where(frame["country"] < 0, -1, offsets[np.maximum(region, 0)] + frame["country"])
        cols |= {
            "contact_person_id": ids("CP", np.where(frame["person"] < 0, -1, raw).astype(np.int64), 10),
            "rep_id": ids("REP-", frame["rep"], 3),
            "direction": lookup(("outbound", "inbound"), frame["direction"]),
            "account_name": ids("Company ", frame["name"], 7),
            "segment": lookup(list(p.segment_mix), frame["segment"]),
            "industry": lookup(list(p.industry_mix), frame["industry"]),
            "region": lookup(list(p.region_countries), region),
            "country": lookup(countries, country),
            "employees": pc.cast(_masked(frame["employees"]), pa.string()),
            "owner_rep_id": ids("REP-", frame["owner"], 3),
        }
    cols["arrival_date"] = pa.array(arrival, pa.int32()).cast(pa.date32())
    cols["_seconds"] = pa.array(seconds)
    return pa.table(cols)
