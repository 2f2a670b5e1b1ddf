"""Which dbt build the working database holds: one row per successful build, written by the step that ran
it, read by the step that publishes.

Two runs can interleave (run B's build, run A's build, B's publication, A's publication): each publication
must carry the build it follows, never another run's marts under its own stamp. The publisher compares
the newest row here with its own run: a run whose build was replaced by a later one publishes nothing.
Python writes this table, so Python owns its DDL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

BUILDS_SCHEMA = "ops"
BUILDS_TABLE = f"{BUILDS_SCHEMA}.builds"
AS_OF_TABLE = "intermediate.int_as_of_date_resolved"  # the date the build evaluated stages at


@dataclass(frozen=True)
class Build:
    run_id: str
    built_at: datetime
    settings: dict[str, Any]
    as_of: date | None

    def stamp(self) -> dict[str, Any]:
        """What a publication of this build says about itself."""
        return {"run_id": self.run_id, **self.settings, "as_of": self.as_of}


def create_builds_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {BUILDS_SCHEMA}")
    con.execute(f"""
        create table if not exists {BUILDS_TABLE} (
            run_id varchar not null,        -- the Dagster run whose dbt step built the marts
            built_at timestamptz not null,
            settings varchar not null,      -- the lifecycle settings of that build, as JSON
            as_of_date date                 -- the date it evaluated stages at
        )""")


def record_build(con: duckdb.DuckDBPyConnection, run_id: str, settings: dict[str, Any]) -> Build:
    """Record a build that just completed in full (call after dbt returned success)."""
    create_builds_table(con)
    found = con.execute(f"select max(as_of_date) from {AS_OF_TABLE}").fetchone()
    as_of = found[0] if found else None
    con.execute(
        f"insert into {BUILDS_TABLE} values ($run, current_timestamp, $settings, $as_of)",
        {"run": run_id, "settings": json.dumps(settings, sort_keys=True), "as_of": as_of},
    )
    latest = latest_build(con)
    assert latest is not None
    return latest


def latest_build(con: duckdb.DuckDBPyConnection) -> Build | None:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = $s and table_name = 'builds'",
        {"s": BUILDS_SCHEMA},
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = con.execute(
        f"select run_id, built_at, settings, as_of_date from {BUILDS_TABLE} order by built_at desc limit 1"
    ).fetchone()
    return Build(row[0], row[1], json.loads(row[2]), row[3]) if row else None


def built_by(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    if latest_build(con) is None:
        return False
    found = con.execute(f"select count(*) from {BUILDS_TABLE} where run_id = $r", {"r": run_id}).fetchone()
    return bool(found and found[0])
