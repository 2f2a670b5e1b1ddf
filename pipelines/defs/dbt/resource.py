"""The dbt CLI resource, without two costs dagster-dbt pays before every `dbt build`, most of a daily
run's fixed start-up:

- It runs `dbt --version` in a subprocess to learn the version: the installed dbt-core package
  says the same, since this project runs dbt-core from its own environment (pinned in uv.lock).
- It opens a dbt adapter in the Dagster process, used only to fetch row counts and column
  metadata after the build, which this project does not ask for (the serving asset records row counts
  as observations). dagster-dbt runs without one when opening it fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version


class LifecycleDbtResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None
