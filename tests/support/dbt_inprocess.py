"""dbt in the test process (dbtRunner): no interpreter start per build. Each warehouse keeps its own
target folder, so partial parsing stays valid from one build of it to the next."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

from pipelines.defs.dbt.args import WAREHOUSE_VAR
from pipelines.defs.resources import DBT_PROJECT_DIR


def dbt_run(warehouse: Path, dbt_vars: dict[str, Any], full_refresh: bool = False) -> None:
    """`dbt run` (models only; the tests of the build are exercised elsewhere) into `warehouse`."""
    args = [
        "run",
        "--quiet",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(warehouse / "dbt-target"),
        "--vars",
        json.dumps({**dbt_vars, WAREHOUSE_VAR: str(warehouse)}, sort_keys=True),
    ]
    if full_refresh:
        args.append("--full-refresh")
    try:
        result = dbtRunner().invoke(args)
    finally:
        # dbt-duckdb keeps its database open in the process after a build; close it, so the file can be
        # deleted, attached or rebuilt by the next step
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()
    if not result.success:
        failed = [
            f"{r.node.name}: {r.message}" for r in (result.result or []) if str(r.status) in ("error", "fail")
        ]
        raise AssertionError(f"dbt run failed in {warehouse}: {result.exception or '; '.join(failed)}")
