"""The dbt step's build in the step's own process, with dagster-dbt's translation of dbt's events.

A dbt subprocess costs about 4.5 s before its first model (an interpreter, dbt's imports, its manifest
read again), twice per run: most of a small daily run's fixed cost. In this process dbt is imported once
and the project parsed once (pipelines/dbt/invoke.py). Results become the same Dagster events as
`DbtCliResource.cli(...).stream()` gives, by dagster-dbt's own event class, and dbt's lines go to
standard output as that stream writes them. On Spark, the session (a JVM) outlives the build and serves
the next build of the same warehouse warm; it cannot serve another warehouse, which builds in a
subprocess (pipelines/spark/session.py: claim_session).

No `from __future__ import annotations` here: Dagster inspects annotations of what it calls.
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_manifest_and_translator_from_dbt_assets,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from pipelines.dbt.args import DEFAULT_TARGET, in_process_args
from pipelines.dbt.invoke import parsed_project, stream_in_process
from pipelines.dbt.project import DBT_PROJECT_DIR


def build_in_process(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    args: list[str],
    target_path: Path,
    target: str = DEFAULT_TARGET,
    target_vars: dict[str, str] | None = None,
) -> Iterator[Any]:
    """`dbt ARGS` for the step's selection, in this process, on the project parsed for `target` (once
    per process; `target_vars`: the target's own parse vars); the Dagster events of its results. A
    selection too long for dbt's command line (dagster-dbt then writes a selector into a copy of the
    project) runs as dagster-dbt runs it, in a subprocess."""
    manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    command, selects, excludes = extract_runtime_selection_from_args(args)
    params = get_updated_cli_invocation_params_for_context(
        context=context,
        manifest=manifest,
        dagster_dbt_translator=translator,
        runtime_selects=selects,
        runtime_excludes=excludes,
    )
    if params.dbt_project is not None and Path(params.dbt_project.project_dir) != DBT_PROJECT_DIR:
        yield from dbt.cli(args, context=context, target_path=target_path).stream()
        return
    dbt_args = in_process_args(
        [*command, *params.selection_args], DBT_PROJECT_DIR, target_path, params.indirect_selection
    )
    dbt_manifest = parsed_project(target_path, target, target_vars)
    for raw_event in stream_in_process(dbt_args, dbt_manifest):
        event = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
        sys.stdout.write(f"{event}\n")
        sys.stdout.flush()  # line by line, as dagster-dbt writes: a log file shows how far dbt got
        yield from event.to_default_asset_events(
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            context=context,
            target_path=target_path,
            project=params.dbt_project,
        )
