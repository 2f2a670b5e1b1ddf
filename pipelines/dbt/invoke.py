"""Invoking dbt: as a subprocess (what the CLI's side commands do, with dbt's own output), or in this
process with dbtRunner (no interpreter start per build)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from pipelines.dbt.args import models_run_args
from pipelines.dbt.project import DBT_PROJECT_DIR, dbt_executable
from pipelines.errors import LifecycleError


class DbtFailed(LifecycleError):
    """dbt ended with an error; the message carries dbt's own words."""


def run_dbt(
    args: list[str], capture: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`dbt ARGS` in a subprocess from the project folder, with `env` added to this process's environment;
    raises DbtFailed with dbt's last output."""
    done = subprocess.run(
        [dbt_executable(), *args],
        cwd=DBT_PROJECT_DIR,
        capture_output=capture,
        text=True,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    if done.returncode != 0:
        said = f":\n{(done.stdout or '')[-3000:]}{(done.stderr or '')[-2000:]}" if capture else ""
        raise DbtFailed(f"dbt {args[0]} failed{said}")
    return done


def invoke_in_process(args: list[str]) -> Any:
    """`dbt ARGS` in this process; returns dbt's result after closing the database it opened (dbt-duckdb
    keeps it open otherwise, so the file could not be deleted, attached or rebuilt by the next step)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    try:
        return dbtRunner().invoke(args)
    finally:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()


def run_in_process(args: list[str], where: Path) -> None:
    """`invoke_in_process`, raising DbtFailed that names each failing node (and `where` it built)."""
    result = invoke_in_process(args)
    if not result.success:
        failed = [
            f"{r.node.name}: {r.message}" for r in (result.result or []) if str(r.status) in ("error", "fail")
        ]
        raise DbtFailed(f"dbt {args[0]} failed in {where}: {result.exception or '; '.join(failed)}")


def run_models(warehouse: Path, dbt_vars: dict[str, Any], full_refresh: bool = False) -> None:
    """`dbt run` (models only, no tests) into `warehouse`, in this process."""
    run_in_process(models_run_args(DBT_PROJECT_DIR, warehouse, dbt_vars, full_refresh), warehouse)
