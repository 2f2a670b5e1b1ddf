"""Realistic B2B event simulator: sales, service and contact streams written as landing folders.

`simulate()` is deterministic in its arguments: the same call gives byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.contract import STREAMS
from pipelines.errors import ConfigError
from pipelines.simulator.accounts import Accounts, draw_accounts, farmer_reps
from pipelines.simulator.events import GENERATORS
from pipelines.simulator.faults import inject_faults
from pipelines.simulator.fx import write_fx_rates
from pipelines.simulator.params import EXTRA_COLUMN, FAULT_RATES, FAULT_STREAMS, SimulationParams
from pipelines.simulator.render import render_stream
from pipelines.simulator.writer import FORMAT_EXTENSIONS, write_day_files

EPOCH = date(1970, 1, 1)
SIDECAR_DIR = "_simulation"


@dataclass
class SimulationResult:
    events_written: dict[str, int] = field(default_factory=dict)
    files_written: int = 0
    faults_planted: dict[str, int] = field(default_factory=dict)
    sidecar: Path | None = None

    @property
    def total_events(self) -> int:
        return sum(self.events_written.values())


def _truth(acc: Accounts, p: SimulationParams) -> pa.Table:
    def day(x: np.ndarray) -> pa.Array:
        return pa.array(np.floor(np.nan_to_num(x, nan=-1)).astype("int32"), mask=np.isnan(x)).cast(
            pa.date32()
        )

    return pa.table(
        {
            "account_id": [f"ACC-{n:07d}" for n in acc.number],
            "created_on": day(acc.created),
            "converted": acc.converted,
            "first_order_on": day(acc.first_order),
            "stops_buying_on": day(acc.loss_at),
            "won_back_on": day(acc.win_back_start),
            "n_contact_persons": acc.n_contact_persons,
            "single_contact_person": acc.n_contact_persons == 1,
            "post_sale_contact": acc.post_sale_contact,
            "complaint_handling": np.array(list(p.complaint_handling_mix))[acc.complaint_handling],
            "discount_band": np.array(list(p.discount_band_mix))[acc.discount_band],
            "currency": np.array(list(p.currency_mix))[acc.currency],
            "mean_gap_days": acc.mean_gap_days,
            "yearly_loss_hazard": acc.yearly_loss_hazard,
            "segment": np.array(list(p.segment_mix))[acc.segment],
            "owner_rep_id": [f"REP-{r:03d}" for r in acc.rep],
            "rep_style": np.where(acc.rep < farmer_reps(p), "farmer", "hunter"),
            "win_back_contacted": acc.win_back_contacted,
        }
    )


def _write_corrupt_file(landing: Path, fmt: str, start: date, end: date, rng: np.random.Generator) -> dict:
    day = (start + (end - start) / 2).isoformat()
    folder = landing / "sales" / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sales-{day}-corrupt.{FORMAT_EXTENSIONS[fmt]}"
    # Random bytes with NULs and invalid UTF-8: unreadable as Parquet, JSON Lines or CSV.
    path.write_bytes(b"\x00\xff\xfe" + rng.bytes(2048))
    return {
        "stream": "sales",
        "arrival_date": day,
        "file": str(path.relative_to(landing)),
        "row_number": None,
        "event_id": None,
        "fault": "corrupt_file",
    }


def simulate(
    landing: Path,
    accounts: int,
    start: date,
    end: date,
    seed: int = 42,
    fmt: str = "parquet",
    faults: bool = False,
    chunk_accounts: int = 100_000,
    params: SimulationParams | None = None,
) -> SimulationResult:
    """Write `accounts` accounts' events between `start` and `end` (inclusive) under `landing`."""
    if fmt not in FORMAT_EXTENSIONS:
        raise ConfigError(f"unknown format {fmt!r}; expected one of {', '.join(FORMAT_EXTENSIONS)}")
    if end < start:
        raise ConfigError(f"--end {end} is before --start {start}")
    if accounts < 1:
        raise ConfigError("--accounts must be at least 1")
    p = params or SimulationParams()
    root = np.random.SeedSequence(seed)
    start_day, end_day = (start - EPOCH).days, (end - EPOCH).days
    result = SimulationResult(events_written=dict.fromkeys(STREAMS, 0))
    truths: list[pa.Table] = []
    fault_records: list[dict] = []
    n_chunks = -(-accounts // chunk_accounts)
    for chunk, chunk_seed in enumerate(root.spawn(n_chunks)):
        rng = np.random.default_rng(chunk_seed)
        first = chunk * chunk_accounts
        [crm_seed] = chunk_seed.spawn(1)
        acc = draw_accounts(
            rng,
            p,
            min(chunk_accounts, accounts - first),
            first + 1,
            float(start_day),
            float(end_day + 1),
            crm=np.random.default_rng(crm_seed),
        )
        truths.append(_truth(acc, p))
        for name, generate in GENERATORS.items():
            table = render_stream(
                name, generate(rng, p, acc, float(end_day + 1)), acc, p, chunk, rng, end_day
            )
            if faults:
                table = inject_faults(table, name, fmt, rng)
                if name == EXTRA_COLUMN[0]:
                    table = table.append_column(EXTRA_COLUMN[1], pa.array([EXTRA_COLUMN[2]] * table.num_rows))
            else:
                table = table.append_column("_copy", pa.array(np.zeros(table.num_rows, np.int8)))
                table = table.append_column("_fault", pa.nulls(table.num_rows, pa.string()))
            n_files, records = write_day_files(table, name, landing, fmt, chunk)
            fault_records += records
            result.events_written[name] += table.num_rows
            result.files_written += n_files

    rng = np.random.default_rng(root.spawn(n_chunks + 1)[-1])
    if faults:
        fault_records.append(_write_corrupt_file(landing, fmt, start, end, rng))
        result.files_written += 1
    fx_last = end + timedelta(days=p.late_arrival_max_days + 5)
    write_fx_rates(landing / "fx_rates", list(p.currency_mix), start, fx_last, rng)

    sidecar = landing / SIDECAR_DIR
    sidecar.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.concat_tables(truths), sidecar / "accounts.parquet")
    fault_schema = pa.schema(
        [
            ("stream", pa.string()),
            ("arrival_date", pa.string()),
            ("file", pa.string()),
            ("row_number", pa.int64()),
            ("event_id", pa.string()),
            ("fault", pa.string()),
        ]
    )
    pq.write_table(pa.Table.from_pylist(fault_records, schema=fault_schema), sidecar / "faults.parquet")
    for rec in fault_records:
        result.faults_planted[rec["fault"]] = result.faults_planted.get(rec["fault"], 0) + 1
    meta = {
        "arguments": {
            "accounts": accounts,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "seed": seed,
            "format": fmt,
            "faults": faults,
            "chunk_accounts": chunk_accounts,
        },
        "parameters": p.to_dict(),
        "fault_rates": FAULT_RATES if faults else {},
        "fault_streams": FAULT_STREAMS if faults else {},
        "extra_column": dict(zip(("stream", "column", "value"), EXTRA_COLUMN, strict=False))
        if faults
        else None,
        "events_written": result.events_written,
        "faults_planted": result.faults_planted,
        "files": {"accounts": "accounts.parquet", "faults": "faults.parquet"},
    }
    (sidecar / "parameters.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    result.sidecar = sidecar
    return result
