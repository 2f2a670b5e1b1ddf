"""Invoking dbt: as a subprocess (what the CLI's side commands do, with dbt's own output), or in this
process with dbtRunner (no interpreter start per build)."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipelines.dbt.args import (
    DEFAULT_TARGET,
    data_test_args,
    inline_compile_args,
    models_run_args,
    parse_args,
    parse_state_args,
    unit_test_args,
)
from pipelines.dbt.project import DBT_PROJECT_DIR, MANIFEST, PARSE_SEED, dbt_executable
from pipelines.errors import LifecycleError

# How long a stream left early (an interrupt) keeps cancelling dbt's queries before it stops waiting
CANCEL_SECONDS = 25.0


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


def invoke_in_process(
    args: list[str], manifest: Any = None, callbacks: Sequence[Callable[[Any], None]] = ()
) -> Any:
    """`dbt ARGS` in this process (on an already parsed `manifest` when given, calling `callbacks` with
    each of dbt's events); returns dbt's result after closing the database it opened (dbt-duckdb keeps it
    open otherwise, so the file could not be deleted, attached or rebuilt by the next step)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    try:
        return dbtRunner(manifest=manifest, callbacks=list(callbacks)).invoke(args)
    finally:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()


def run_in_process(args: list[str], where: Path, manifest: Any = None) -> None:
    """`invoke_in_process`, raising DbtFailed that names each failing node (and `where` it built)."""
    result = invoke_in_process(args, manifest)
    if not result.success:
        failed = [
            f"{r.node.name}: {r.message}" for r in (result.result or []) if str(r.status) in ("error", "fail")
        ]
        raise DbtFailed(f"dbt {args[0]} failed in {where}: {result.exception or '; '.join(failed)}")


class _Ended:
    """The last item of a stream's queue: dbt's result, or what its thread raised."""

    def __init__(self, result: Any = None, raised: BaseException | None = None) -> None:
        self.result, self.raised = result, raised


def stream_in_process(args: list[str], manifest: Any) -> Iterator[dict[str, Any]]:
    """`dbt ARGS` in this process on `manifest`, yielding each event above debug level as dbt's JSON log
    line carries it (what dagster-dbt reads from a dbt subprocess), while dbt works on a thread of its
    own; raises DbtFailed with dbt's error messages when dbt failed. Left early (an interrupt, or the
    reader closing the stream), it cancels dbt's running queries until dbt stops, as dbt does itself on
    SIGINT, so no query outlives the step."""
    from dbt_common.events.functions import msg_to_dict

    events: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def keep(msg: Any) -> None:
        if msg.info.level != "debug":
            events.put(msg_to_dict(msg))

    def work() -> None:
        try:
            events.put(_Ended(result=invoke_in_process(args, manifest, [keep])))
        except BaseException as exc:  # handed to the reader, which raises it in the step
            events.put(_Ended(raised=exc))

    thread = threading.Thread(target=work, name=f"dbt {args[0]}", daemon=True)
    thread.start()
    errors: list[str] = []
    try:
        while not isinstance(item := events.get(), _Ended):
            if item["info"]["level"] == "error":
                errors.append(item["info"]["msg"])
            yield item
    except BaseException:
        _cancel_until_stopped(thread)
        raise
    if item.raised is not None:
        raise item.raised
    if not item.result.success:
        said = "\n".join(errors) or str(item.result.exception)
        raise DbtFailed(f"dbt {args[0]} failed:\n{said}")


def _cancel_until_stopped(thread: threading.Thread) -> None:
    from dbt.adapters.factory import FACTORY

    deadline = time.monotonic() + CANCEL_SECONDS
    while thread.is_alive() and time.monotonic() < deadline:
        adapters: list[Any] = list(FACTORY.adapters.values())
        for adapter in adapters:
            with contextlib.suppress(Exception):  # a connection closing meanwhile has nothing to cancel
                adapter.cancel_open_connections()
        _cancel_spark_jobs()
        thread.join(0.2)


def _cancel_spark_jobs() -> None:
    """A Spark session's dbt connections cannot cancel their statement (dbt-spark's `cancel` does
    nothing): cancel the running jobs of this process's Spark context instead, when it has one."""
    pyspark = sys.modules.get("pyspark")  # imported by a Spark build in this process, if one ran
    context = pyspark.SparkContext._active_spark_context if pyspark is not None else None
    if context is not None:
        with contextlib.suppress(Exception):  # a context stopping meanwhile has no jobs to cancel
            context.cancelAllJobs()


# The project as dbt parsed it in this process (parsed_project), per target under the package manifest's mtime
_parsed: dict[tuple[int, str], Any] = {}
PARSE_STATE = "partial_parse.msgpack"  # dbt's parse state, in a target folder


def parsed_project(
    target_path: Path, target: str = DEFAULT_TARGET, target_vars: dict[str, str] | None = None
) -> Any:
    """dbt's manifest of the project for `target`, parsed in this process once, with the fixed vars of
    parse_state_args (and `target_vars`), its state and log in `target_path`. Nothing a parse reads
    differs between warehouses (no var decides a node's config or schema here, except the
    reconciliation's schema suffix, which these builds never set), so one manifest serves every build
    of this process, and a new warehouse's first parse starts from the project's own state, which
    `prepare_manifest` keeps, and is partial. A project changed meanwhile (`prepare_manifest` renews
    the package manifest) is parsed again."""
    mtime = MANIFEST.stat().st_mtime_ns if MANIFEST.exists() else 0
    if (mtime, target) not in _parsed:
        args = [*parse_args(DBT_PROJECT_DIR), "--project-dir", str(DBT_PROJECT_DIR)]
        args += [*parse_state_args(target_vars), "--target-path", str(target_path)]
        args += ["--log-path", str(target_path)]
        if target != DEFAULT_TARGET:
            args += ["--target", target]
        else:
            _seed_parse_state(target_path)
        result = invoke_in_process(args)
        if not result.success:
            raise DbtFailed(f"dbt parse failed: {result.exception}")
        for stale in [key for key in _parsed if key[0] != mtime]:
            del _parsed[stale]
        _parsed[(mtime, target)] = result.result
    return _parsed[(mtime, target)]


def _seed_parse_state(target_path: Path) -> None:
    """Give a target folder without a parse state the project's (a full parse costs about twice a
    partial one); dbt checks a state against the files and the vars before it uses it."""
    state, seed = target_path / PARSE_STATE, MANIFEST.with_name(PARSE_SEED)
    if state.exists() or not seed.exists():
        return
    target_path.mkdir(parents=True, exist_ok=True)
    partial = state.with_name(f".{PARSE_STATE}.{os.getpid()}")
    shutil.copyfile(seed, partial)
    partial.replace(state)  # whole or not at all, whoever else seeds it meanwhile


def run_models(
    warehouse: Path, dbt_vars: dict[str, Any], full_refresh: bool = False, tests: bool = False
) -> None:
    """`dbt run` (models only), or `dbt build` with `tests`, into `warehouse`, in this process, on the
    project parsed once per process (builds of many small warehouses: the tests and the lint warehouse)."""
    args = models_run_args(DBT_PROJECT_DIR, warehouse, dbt_vars, full_refresh, tests)
    run_in_process(args, warehouse, parsed_project(warehouse / "dbt-target"))


def run_data_tests(warehouse: Path, select: str) -> None:
    """The data tests of the nodes `select` names against `warehouse`, in this process; raises DbtFailed
    naming each failing test."""
    args = data_test_args(DBT_PROJECT_DIR, warehouse, select)
    run_in_process(args, warehouse, parsed_project(warehouse / "dbt-target"))


def run_unit_tests(warehouse: Path) -> Any:
    """dbt's unit tests against `warehouse` (which holds every model), in this process; dbt's result."""
    args = unit_test_args(DBT_PROJECT_DIR, warehouse)
    return invoke_in_process(args, parsed_project(warehouse / "dbt-target"))


def compile_inline(warehouse: Path, jinja: str) -> str:
    """`jinja` rendered by dbt against `warehouse`, in this process, on the project parsed once."""
    result = invoke_in_process(
        inline_compile_args(DBT_PROJECT_DIR, warehouse, jinja), parsed_project(warehouse / "dbt-target")
    )
    if not result.success:
        raise DbtFailed(f"dbt compile failed in {warehouse}: {result.exception}")
    return str(result.result.results[0].node.compiled_code)
