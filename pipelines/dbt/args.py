"""Every argument list this project gives dbt, built in one place (pure: unit-tested without dbt)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pipelines.config.paths import WAREHOUSE_ENV
from pipelines.errors import ConfigError

# Not a lifecycle setting: where the warehouse is, handed to profiles.yml for this invocation only.
WAREHOUSE_VAR = "warehouse_dir"
# Suffix of the schemas a reconciliation rebuilds into (macros/project/generate_schema_name.sql reads it)
SCHEMA_SUFFIX_VAR = "schema_suffix"

# dbt targets of profiles.yml: the embedded default, and the same project on Apache Spark (docs/spark.md)
DEFAULT_TARGET = "duckdb"
TARGETS = (DEFAULT_TARGET, "spark")


def _vars(all_vars: dict[str, Any]) -> list[str]:
    return ["--vars", json.dumps(all_vars, sort_keys=True)] if all_vars else []


def _profile_vars(warehouse: Path | None, profile_vars: dict[str, str] | None) -> dict[str, str]:
    """The vars profiles.yml reads: the warehouse when it would not find it by itself, and the engine's."""
    return {**({WAREHOUSE_VAR: str(warehouse)} if warehouse else {}), **(profile_vars or {})}


def parse_args(profiles_dir: Path) -> list[str]:
    """`dbt parse` of the project's manifest."""
    return ["parse", "--quiet", "--profiles-dir", str(profiles_dir)]


# dbt's unit tests check the SQL of a model on fixed rows, whatever the warehouse holds: they belong to
# the project's test suite (tests/integration/test_dbt_unit_tests.py), not to every load.
WITHOUT_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def dbt_build_args(
    dbt_vars: dict[str, Any],
    warehouse: Path | None,
    select: str | None = None,
    full_refresh: bool = False,
    target: str = DEFAULT_TARGET,
    profile_vars: dict[str, str] | None = None,
    unit_tests: bool = False,
) -> list[str]:
    """Arguments for `dbt build`: the settings, the warehouse when profiles.yml would not find it by
    itself, and `profile_vars` (the engine's, which profiles.yml reads), as one JSON document of vars (no
    vars at all when none is needed). `full_refresh` rebuilds the incremental models from scratch instead
    of recomputing the touched accounts; `target` names the engine (profiles.yml's target); the models'
    data tests run, dbt's unit tests only with `unit_tests`."""
    if target not in TARGETS:
        raise ConfigError(f"unknown dbt target {target!r}: choose one of {', '.join(TARGETS)}")
    args = ["build"]
    if target != DEFAULT_TARGET:
        args += ["--target", target]
    if full_refresh:
        args.append("--full-refresh")
    if not unit_tests:
        args += WITHOUT_UNIT_TESTS
    args += _vars({**dbt_vars, **_profile_vars(warehouse, profile_vars)})
    if select:
        args += ["--select", select]
    return args


# What profiles.yml reads, as a parse is given it: fixed values, none of a warehouse's own. A parse opens
# no database, and its state (what decides whether the next parse may be partial) holds every var and
# the profile's connection values: with these, one state serves every warehouse and run, and the
# project's own parse (`make setup`) seeds a new warehouse's (pipelines/dbt/invoke.py: parsed_project).
PARSE_PROFILE_VARS = {
    WAREHOUSE_VAR: "/parse-only",
    "engine_memory_limit": "80%",
    "engine_threads": "2",
    "engine_temp_directory": "/parse-only/tmp",
}


def parse_state_args(target_vars: dict[str, str] | None = None) -> list[str]:
    """The vars a parse is given: PARSE_PROFILE_VARS and `target_vars` (a target's own, the same for
    every warehouse: Spark's jar), never the lifecycle settings, which no node's config reads. A run
    with other settings, or of another warehouse, still parses the project partially."""
    return _vars({**PARSE_PROFILE_VARS, **(target_vars or {})})


def in_process_args(
    command_args: list[str], project_dir: Path, target_path: Path, indirect_selection: str | None = None
) -> list[str]:
    """`command_args` (e.g. dbt_build_args' with the step's selection) as run in this process: the project
    and its profiles named, artifacts and dbt.log in `target_path` (the warehouse's), nothing printed by
    dbt itself (the caller passes dbt's events on), and how tests of unselected models are chosen."""
    args = [*command_args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    args += ["--target-path", str(target_path), "--log-path", str(target_path)]
    args += ["--log-level", "none", "--log-level-file", "debug", "--no-use-colors"]
    return [*args, "--indirect-selection", indirect_selection] if indirect_selection else args


def _throwaway(project_dir: Path, warehouse: Path) -> list[str]:
    """What every build of a small throwaway warehouse (the tests', the lint warehouse) shares: the
    warehouse's own target folder, so partial parsing stays valid from one build of it to the next; no
    artifacts and only dbt's warnings in its file log (writing manifest.json and a debug line per query
    cost a fifth of such a build; a failure names its nodes from dbt's result)."""
    args = ["--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    args += ["--target-path", str(warehouse / "dbt-target"), "--no-write-json", "--log-level-file", "warn"]
    return args


def models_run_args(
    project_dir: Path,
    warehouse: Path,
    dbt_vars: dict[str, Any],
    full_refresh: bool = False,
    tests: bool = False,
) -> list[str]:
    """`dbt run` (models only), or `dbt build` with `tests` (data tests, not unit tests), into the
    throwaway `warehouse`."""
    command = ["build", *WITHOUT_UNIT_TESTS] if tests else ["run"]
    args = [
        *command,
        *_throwaway(project_dir, warehouse),
        *_vars({**dbt_vars, WAREHOUSE_VAR: str(warehouse)}),
    ]
    return [*args, "--full-refresh"] if full_refresh else args


def unit_test_args(project_dir: Path, warehouse: Path) -> list[str]:
    """`dbt test --select test_type:unit` against `warehouse` (its models must exist: dbt reads the column
    types of a unit test's inputs from the tables)."""
    args = ["test", "--select", "test_type:unit", *_throwaway(project_dir, warehouse)]
    return [*args, *_vars({WAREHOUSE_VAR: str(warehouse)})]


def data_test_args(project_dir: Path, warehouse: Path, select: str) -> list[str]:
    """`dbt test --select SELECT` (data tests only) against `warehouse`, as models_run_args."""
    args = ["test", *WITHOUT_UNIT_TESTS, "--select", select, *_throwaway(project_dir, warehouse)]
    return [*args, *_vars({WAREHOUSE_VAR: str(warehouse)})]


def inline_compile_args(project_dir: Path, warehouse: Path, jinja: str) -> list[str]:
    """`dbt compile --inline JINJA` against `warehouse` (its own target folder, as models_run_args)."""
    args = ["compile", *_throwaway(project_dir, warehouse), *_vars({WAREHOUSE_VAR: str(warehouse)})]
    return [*args, "--inline", jinja]


def shadow_build_args(
    profiles_dir: Path, settings: dict[str, Any], warehouse: Path, schema_suffix: str, target_path: Path
) -> list[str]:
    """`dbt run --full-refresh` into schemas named with `schema_suffix`, with the live build's settings;
    `target_path` is the warehouse's own folder for it (two warehouses reconciled at once would otherwise
    write one parse state)."""
    dbt_vars = {**settings, SCHEMA_SUFFIX_VAR: schema_suffix, WAREHOUSE_VAR: str(warehouse)}
    return [
        "run",
        "--full-refresh",
        "--quiet",
        "--profiles-dir",
        str(profiles_dir),
        "--target-path",
        str(target_path),
        *_vars(dbt_vars),
    ]


def docs_generate_args(profiles_dir: Path, target: Path, warehouse: Path) -> list[str]:
    """`dbt docs generate --static` into `target`, reading the warehouse's catalog."""
    return [
        "docs",
        "generate",
        "--static",
        "--target-path",
        str(target),
        "--profiles-dir",
        str(profiles_dir),
        *_vars({WAREHOUSE_VAR: str(warehouse)}),
        "--quiet",
    ]


def warehouse_var(root: Path, environ: dict[str, str] | None = None) -> Path | None:
    """`root`, unless $LIFECYCLE_WAREHOUSE (which profiles.yml reads) already names it."""
    named = (os.environ if environ is None else environ).get(WAREHOUSE_ENV)
    return None if named and Path(named).expanduser().resolve() == root else root
