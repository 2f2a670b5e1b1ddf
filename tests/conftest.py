import os
from pathlib import Path

import pytest

from pipelines.config.paths import WAREHOUSE_ENV, warehouse_paths

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """An empty warehouse in tmp_path, named by LIFECYCLE_WAREHOUSE as a user would."""
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "warehouse"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)  # runs are kept in <warehouse>/dagster
    return warehouse_paths().ensure()


def pytest_configure(config):
    # dbt must not phone home from tests (and stalls on machines without internet).
    os.environ.setdefault("DO_NOT_TRACK", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration materializes into a warehouse: `make test-fast` skips it."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
