"""A private copy of a built warehouse, for a test that writes to a warehouse other tests only read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.config.paths import WAREHOUSE_ENV, WarehousePaths, warehouse_paths


def use_copy_of(built: WarehousePaths, to: Path, monkeypatch: pytest.MonkeyPatch) -> WarehousePaths:
    """Copy `built` to `to` (its publication links kept as links, not the writer's lock) and name the copy
    as the warehouse for the rest of the test, with runs kept in the copy."""
    shutil.copytree(built.root, to, symlinks=True, ignore=shutil.ignore_patterns(".writer.lock"))
    monkeypatch.setenv(WAREHOUSE_ENV, str(to))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return warehouse_paths()
