"""Load the FX-rates input: CSV files `rate_date, base_currency, currency, rate` under landing/fx_rates/.

A rate is units of `currency` per 1 `base_currency`. All rates of a day share one base currency: with two
bases a revenue line could be converted twice, so such input is refused. Values stay text until DuckDB
casts them to exact decimals.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.contract import STREAMS
from pipelines.contract.currencies import ISO_4217
from pipelines.errors import InputRejected
from pipelines.raw.tables import create_raw_tables, events_table
from pipelines.raw.writing import next_load_id
from pipelines.warehouse.connections import transaction

FX_COLUMNS = ("rate_date", "base_currency", "currency", "rate")
FX_FOLDER = "fx_rates"
# The rates a load replaces, kept for the length of its transaction to see which days changed.
RATES_BEFORE = "_fx_rates_before"
# Revenue lines convert with the rates of their reporting date, which lies within a day of the UTC date.
REPORTING_DAY_SPREAD = 1


class FxRatesError(InputRejected):
    """A bad FX-rates input; the message names the file, row and field."""


def _field_problem(row: dict[str, str]) -> str | None:
    try:
        date.fromisoformat(row["rate_date"])
    except ValueError:
        return "rate_date"
    if row["base_currency"] not in ISO_4217:
        return "base_currency"
    if row["currency"] not in ISO_4217:
        return "currency"
    try:
        rate = Decimal(row["rate"])
    except InvalidOperation:
        return "rate"
    if not rate.is_finite() or rate <= 0 or rate.as_tuple().exponent < -8:  # type: ignore[operator]
        return "rate"
    return None


def read_rates(path: Path, rel: str) -> list[tuple[str, str, str, str, str, int]]:
    """Rows of one rates file, checked; raises FxRatesError naming the file, row and field."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in FX_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FxRatesError(
                f"{rel}: missing column(s) {', '.join(missing)}; expected {', '.join(FX_COLUMNS)}"
            )
        rows = []
        for number, row in enumerate(reader, start=1):
            values = {c: (row.get(c) or "").strip() for c in FX_COLUMNS}
            problem = _field_problem(values)
            if problem:
                raise FxRatesError(f"{rel}: row {number}: invalid {problem}: {values[problem]!r} in {values}")
            rate_date, base, currency, rate = (values[c] for c in FX_COLUMNS)
            rows.append((rate_date, base, currency, rate, rel, number))
    return rows


def rate_files(landing: Path) -> list[Path]:
    folder = landing / FX_FOLDER
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.rglob("*.csv") if not p.name.startswith("."))
    for path in files:
        # a link is never followed and a directory named like a file is no file: a rates file in
        # landing is a regular file, else the load stops naming it
        if path.is_symlink() or not path.is_file():
            raise FxRatesError(
                f"{path.relative_to(landing)}: not a regular file (a link, directory or device)"
            )
    return files


def _refuse_ambiguous_rates(con: duckdb.DuckDBPyConnection) -> None:
    dupes = con.execute("""
        select rate_date, base_currency, currency, count(*) from raw.fx_rates
        group by all having count(*) > 1 order by all limit 1""").fetchone()
    if dupes:
        raise FxRatesError(
            f"fx_rates: {dupes[3]} rates for {dupes[2]} per {dupes[1]} on {dupes[0]} "
            "(one rate per day and currency pair expected)"
        )
    mixed = con.execute("""
        select rate_date, string_agg(distinct base_currency, ', ' order by base_currency) from raw.fx_rates
        group by rate_date having count(distinct base_currency) > 1 order by rate_date limit 1""").fetchone()
    if mixed:
        raise FxRatesError(
            f"fx_rates: rates of {mixed[0]} are quoted against several base currencies ({mixed[1]}); "
            "all rates of a day must share one base currency"
        )


def record_changed_rate_days(con: duckdb.DuckDBPyConnection, before: str, load_id: int) -> None:
    """raw.account_changes for an FX load: the accounts with an invoice or credit note within a day (time
    zones) of a rate day whose rates were added, changed or removed. Incremental builds recompute their
    revenue lines; an FX file loaded again unchanged changes no account."""
    sales = events_table(STREAMS["sales"])
    con.execute(
        f"""
        insert into raw.account_changes
        with rates_now as (
            select rate_date, base_currency, currency, rate from raw.fx_rates
        ), changed_days as (
            select rate_date from (select * from {before} except select * from rates_now)
            union
            select rate_date from (select * from rates_now except select * from {before})
        ), nearby_days as (
            select distinct rate_date + cast(offset_days as integer) as utc_date
            from changed_days, range(-$spread, $spread + 1) as offsets(offset_days)
        )
        select distinct $load_id, 'fx_rates', account_id from {sales}
        where event_type in ('invoice_issued', 'credit_note_issued')
          and cast(timezone('UTC', occurred_at) as date) in (select utc_date from nearby_days)""",
        {"load_id": load_id, "spread": REPORTING_DAY_SPREAD},
    )


def load_fx_rates(con: duckdb.DuckDBPyConnection, landing: Path) -> dict[str, int]:
    """Replace raw.fx_rates with every rate file under landing/fx_rates, in one transaction, and record the
    accounts whose revenue lines the changed days convert (`record_changed_rate_days`)."""
    create_raw_tables(con)
    files = rate_files(landing)
    rows = [row for path in files for row in read_rates(path, str(path.relative_to(landing)))]
    with transaction(con):
        con.execute(
            f"create or replace temp table {RATES_BEFORE} as "
            "select rate_date, base_currency, currency, rate from raw.fx_rates"
        )
        con.execute("delete from raw.fx_rates")
        if rows:
            names = [*FX_COLUMNS, "source_file", "source_row"]
            con.register("_fx_rows", pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)}))
            con.execute("""
                insert into raw.fx_rates
                select cast(rate_date as date), base_currency, currency, cast(rate as decimal(20, 8)),
                       source_file, source_row, current_timestamp
                from _fx_rows""")
            con.unregister("_fx_rows")
        _refuse_ambiguous_rates(con)
        record_changed_rate_days(con, RATES_BEFORE, next_load_id(con))
    con.execute(f"drop table if exists {RATES_BEFORE}")
    return {"files": len(files), "rows": len(rows)}
