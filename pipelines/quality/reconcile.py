"""`lifecycle reconcile`: rebuild everything from scratch beside the live tables and compare.

Incremental builds recompute only the accounts that loads touched. The reconciliation is the standing
proof that this still equals a full build on this warehouse: dbt rebuilds every model with
--full-refresh into the shadow schemas `<schema>_shadow`, with the settings the live tables were built
with (recorded in intermediate.int_builds_completed), then every table of the per-account models and
the marts is compared row for row with its live twin, and the shadow schemas are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from pipelines.churn.tables import CHURN_MARTS
from pipelines.config.paths import WarehousePaths
from pipelines.dbt.args import shadow_build_args
from pipelines.dbt.invoke import DbtFailed, run_dbt
from pipelines.dbt.project import PROFILES_DIR
from pipelines.errors import NotBuiltYet
from pipelines.forecast.tables import FORECAST_MARTS
from pipelines.warehouse.connections import connect_writer, writer_lock
from pipelines.warehouse.sql import ident

SHADOW_SUFFIX = "_shadow"  # dbt var schema_suffix (macros/project/generate_schema_name.sql)
BUILT_SCHEMAS = ("staging", "intermediate", "marts")
COMPARED_SCHEMAS = ("intermediate", "marts")
# What a build records about itself, not what it computes.
BUILD_BOOKKEEPING = frozenset(
    {
        "int_builds_planned",
        "int_builds_started",
        "int_builds_completed",
        "int_accounts_touched",
        "int_accounts_restaged",
    }
)
# The marts Python writes from dbt's marts after a build (pipelines/churn, pipelines/forecast), with their
# columns: a dbt rebuild makes no twin, their inputs are compared; each is documented by a dbt exposure.
PYTHON_MARTS = {**CHURN_MARTS, **FORECAST_MARTS}
DERIVED_IN_PYTHON = frozenset(PYTHON_MARTS)
CLOCK_COLUMNS = frozenset({"built_at"})


@dataclass
class Reconciliation:
    tables: list[str] = field(default_factory=list)
    # table -> (rows only in the live table, rows only in the rebuilt one)
    differences: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return not self.differences

    def described(self) -> list[str]:
        return [
            f"{table}: {live} rows only in the live table, {rebuilt} only in the rebuild"
            if live >= 0
            else f"{table}: exists on one side only"
            for table, (live, rebuilt) in self.differences.items()
        ]


def compared_tables(con: duckdb.DuckDBPyConnection, catalog: str, suffix: str = "") -> list[tuple[str, str]]:
    """(schema without suffix, table) of every compared table in `catalog`."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = $c and table_schema in (select unnest($s::varchar[])) order by all",
        {"c": catalog, "s": [s + suffix for s in COMPARED_SCHEMAS]},
    ).fetchall()
    return [(s.removesuffix(suffix), t) for s, t in rows if t not in BUILD_BOOKKEEPING | DERIVED_IN_PYTHON]


def difference_counts(
    con: duckdb.DuckDBPyConnection, left: str, right: str, float_decimals: int | None = None
) -> tuple[int, int]:
    """Rows of `left` missing from `right` and the reverse, as multisets (duplicates count).
    `float_decimals` compares floating-point columns rounded (two engines may differ in the last bit)."""
    columns = [(row[0], row[1]) for row in con.execute(f"describe {left}").fetchall()]
    kept = ", ".join(
        f"round({ident(c)}, {float_decimals:d}) as {ident(c)}"
        if float_decimals is not None and kind in ("DOUBLE", "FLOAT")
        else ident(c)
        for c, kind in columns
        if c not in CLOCK_COLUMNS
    )
    counts = con.execute(
        f"select (select count(*) from (select {kept} from {left} except all select {kept} from {right})), "
        f"(select count(*) from (select {kept} from {right} except all select {kept} from {left}))"
    ).fetchone()
    assert counts is not None
    return int(counts[0]), int(counts[1])


def compare(
    con: duckdb.DuckDBPyConnection,
    live: tuple[str, str],
    rebuilt: tuple[str, str],
) -> Reconciliation:
    """Compare every table of `live` (catalog, schema suffix) with its twin in `rebuilt`."""
    outcome = Reconciliation()
    mine, theirs = compared_tables(con, *live), compared_tables(con, *rebuilt)
    for missing in sorted(set(mine) ^ set(theirs)):
        outcome.differences[".".join(missing)] = (-1, -1)  # a table on one side only
    for schema, table in sorted(set(mine) & set(theirs)):
        name = f"{schema}.{table}"
        outcome.tables.append(name)
        left = f"{ident(live[0])}.{ident(schema + live[1])}.{ident(table)}"
        right = f"{ident(rebuilt[0])}.{ident(schema + rebuilt[1])}.{ident(table)}"
        counts = difference_counts(con, left, right)
        if counts != (0, 0):
            outcome.differences[name] = counts
    return outcome


def live_settings(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The lifecycle vars of the last completed build."""
    try:
        row = con.execute(
            "select settings from intermediate.int_builds_completed order by completed_at desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:  # a warehouse that was loaded but never built
        row = None
    if row is None:
        raise NotBuiltYet("no completed build to reconcile: run `lifecycle run` first")
    return dict(json.loads(row[0]))


def drop_shadow(con: duckdb.DuckDBPyConnection) -> None:
    for schema in BUILT_SCHEMAS:
        con.execute(f"drop schema if exists {ident(schema + SHADOW_SUFFIX)} cascade")


def reconcile(paths: WarehousePaths, log: Callable[[str], None] = print) -> Reconciliation:
    """Rebuild into the shadow schemas, compare with the live tables, drop the shadow schemas."""
    if not paths.database.exists():
        raise NotBuiltYet(f"no warehouse database at {paths.database}: run `lifecycle run` first")
    with writer_lock(paths.root, "lifecycle reconcile", log=log):
        con = connect_writer(paths.database, log=log)
        try:
            settings = live_settings(con)
            drop_shadow(con)
        finally:
            con.close()
        log("rebuilding every model from scratch into the shadow schemas")
        failed = None
        try:
            args = shadow_build_args(
                PROFILES_DIR, settings, paths.root, SHADOW_SUFFIX, paths.dbt_shadow_target
            )
            run_dbt(args, capture=True)
        except DbtFailed as exc:
            failed = exc
        con = connect_writer(paths.database, log=log)
        try:
            if failed is not None:
                raise DbtFailed(f"the shadow build failed: {failed}") from None
            catalog = con.execute("select current_database()").fetchone()[0]  # type: ignore[index]
            return compare(con, (catalog, ""), (catalog, SHADOW_SUFFIX))
        finally:
            drop_shadow(con)
            con.close()
