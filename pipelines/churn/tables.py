"""The table the adjusted churn effects are written to, owned here (not by dbt): `marts.churn_driver_effects`,
replaced whole after every fit, in one transaction, so readers see the old effects or the new ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from pipelines.churn.effects import Effect, fit_effects
from pipelines.warehouse.connections import transaction

EFFECTS_TABLE = "churn_driver_effects"

# (column, type): the table's contract, documented in dbt_project/models/marts/churn/_churn__sources.yml
EFFECTS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("driver", "varchar not null"),
    ("band", "varchar not null"),
    ("reference_band", "varchar not null"),
    ("adjusted_ratio", "double"),
    ("ci_low", "double"),
    ("ci_high", "double"),
    ("p_value", "double"),
    ("observations", "bigint not null"),
    ("lost", "bigint not null"),
    ("model", "varchar not null"),
    ("note", "varchar"),
)

# The marts this package writes and their columns, derived from dbt's marts: a dbt rebuild
# (reconciliation) has no twin of them; each is documented by a dbt exposure of its name.
CHURN_MARTS: dict[str, tuple[tuple[str, str], ...]] = {EFFECTS_TABLE: EFFECTS_COLUMNS}


def replace_effects(con: duckdb.DuckDBPyConnection, effects: list[Effect]) -> None:
    """The table holds exactly `effects` afterwards (created again: a new version's columns take effect)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in EFFECTS_COLUMNS)
    placeholders = ", ".join("?" for _ in EFFECTS_COLUMNS)
    with transaction(con):
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table marts.{EFFECTS_TABLE} ({columns})")
        if effects:
            con.executemany(
                f"insert into marts.{EFFECTS_TABLE} values ({placeholders})", [e.row() for e in effects]
            )


def read_observations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("select * from marts.churn_observations").df()


def read_exported_observations(exports: Path) -> pd.DataFrame:
    """The observations another engine built, from its export (`<exports>/churn_observations/*.parquet`)."""
    files = exports / "churn_observations" / "*.parquet"
    with duckdb.connect() as con:
        return con.execute("select * from read_parquet(?)", [str(files)]).df()


def export_effects(exports: Path, effects: list[Effect]) -> Path:
    """`effects` as `<exports>/churn_driver_effects/effects.parquet`, beside the marts another engine
    exported, in the columns and types of the DuckDB table; the folder is replaced whole."""
    folder = exports / EFFECTS_TABLE
    partial = folder.with_name(f".{EFFECTS_TABLE}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with duckdb.connect() as con:
        replace_effects(con, effects)
        table = con.sql(f"select * from marts.{EFFECTS_TABLE}").to_arrow_table()
    pq.write_table(table, partial / "effects.parquet")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def refit_effects(con: duckdb.DuckDBPyConnection) -> tuple[int, list[Effect]]:
    """Fit the effects on `churn_observations` and replace the table; (observations, effects)."""
    observations = read_observations(con)
    effects = fit_effects(observations)
    replace_effects(con, effects)
    return len(observations), effects
