"""Load the FX-rates input: CSV files `rate_date, base_currency, currency, rate` under landing/fx_rates/."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract.currencies import ISO_4217
from pipelines.raw.tables import create_raw_tables

FX_COLUMNS = ("rate_date", "base_currency", "currency", "rate")


class FxRatesError(ValueError):
    """A bad FX-rates input; the message names the file, row and field."""


def _check_file(con: duckdb.DuckDBPyConnection, path: Path, rel: str) -> None:
    con.execute(
        "create or replace temp table _fx_file as "
        "select row_number() over () as _row, * from read_csv($p, all_varchar = true, header = true)",
        {"p": str(path)},
    )
    cols = [r[0] for r in con.execute("select column_name from (describe _fx_file)").fetchall()]
    missing = [c for c in FX_COLUMNS if c not in cols]
    if missing:
        raise FxRatesError(f"{rel}: missing column(s) {', '.join(missing)}; expected {', '.join(FX_COLUMNS)}")
    bad = con.execute(
        """
        select _row, case
            when try_cast(rate_date as date) is null then 'rate_date'
            when base_currency not in (select unnest($codes)) then 'base_currency'
            when currency not in (select unnest($codes)) then 'currency'
            when try_cast(rate as decimal(20, 8)) is null or try_cast(rate as decimal(20, 8)) <= 0 then 'rate'
        end as field, to_json(_fx_file) as payload
        from _fx_file where field is not null order by _row limit 1""",
        {"codes": list(ISO_4217)},
    ).fetchone()
    if bad:
        raise FxRatesError(f"{rel}: row {bad[0]}: invalid {bad[1]} in {bad[2]}")


def load_fx_rates(con: duckdb.DuckDBPyConnection, landing: Path) -> dict:
    """Replace raw.fx_rates with every rate file under landing/fx_rates, in one transaction."""
    create_raw_tables(con)
    folder = landing / "fx_rates"
    files = sorted(p for p in folder.rglob("*.csv") if not p.name.startswith(".")) if folder.is_dir() else []
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.fx_rates")
        for path in files:
            rel = str(path.relative_to(landing))
            _check_file(con, path, rel)
            con.execute(
                """
                insert into raw.fx_rates
                select rate_date::date, base_currency, currency, rate::decimal(20, 8), $rel, current_timestamp
                from _fx_file""",
                {"rel": rel},
            )
        dupes = con.execute("""
            select rate_date, base_currency, currency, count(*) from raw.fx_rates
            group by all having count(*) > 1 order by all limit 1""").fetchone()
        if dupes:
            raise FxRatesError(
                f"fx_rates: {dupes[3]} rates for {dupes[2]} per {dupes[1]} on {dupes[0]} "
                "(one rate per day and currency pair expected)"
            )
        rows = con.execute("select count(*) from raw.fx_rates").fetchone()[0]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {"files": len(files), "rows": int(rows)}
