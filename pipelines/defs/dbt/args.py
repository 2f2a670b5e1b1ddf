"""Pure helpers for invoking dbt (kept apart so they can be unit-tested without Dagster or dbt)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pipelines.settings import WAREHOUSE_ENV

# Not a lifecycle setting: where the warehouse is, handed to profiles.yml for this invocation only.
WAREHOUSE_VAR = "warehouse_dir"


# dbt targets of profiles.yml: the embedded default, and the same project on Apache Spark (docs/spark.md)
DEFAULT_TARGET = "duckdb"
TARGETS = (DEFAULT_TARGET, "spark")


def dbt_build_args(
    dbt_vars: dict[str, Any],
    warehouse: Path | None,
    select: str | None = None,
    full_refresh: bool = False,
    target: str = DEFAULT_TARGET,
) -> list[str]:
    """Arguments for `dbt build`: the settings, and the warehouse when profiles.yml would not find it by
    itself, as one JSON document of vars (no vars at all when neither is needed). `full_refresh` rebuilds
    the incremental models from scratch instead of recomputing the touched accounts; `target` names the
    engine (profiles.yml's target)."""
    if target not in TARGETS:
        raise ValueError(f"unknown dbt target {target!r}: choose one of {', '.join(TARGETS)}")
    all_vars = {**dbt_vars, **({WAREHOUSE_VAR: str(warehouse)} if warehouse else {})}
    args = ["build"]
    if target != DEFAULT_TARGET:
        args += ["--target", target]
    if full_refresh:
        args.append("--full-refresh")
    if all_vars:
        args += ["--vars", json.dumps(all_vars, sort_keys=True)]
    if select:
        args += ["--select", select]
    return args


def warehouse_var(root: Path, environ: dict[str, str] | None = None) -> Path | None:
    """`root`, unless $LIFECYCLE_WAREHOUSE (which profiles.yml reads) already names it."""
    named = (os.environ if environ is None else environ).get(WAREHOUSE_ENV)
    return None if named and Path(named).expanduser().resolve() == root else root
