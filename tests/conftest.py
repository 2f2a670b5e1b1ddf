import os
from pathlib import Path

import pytest

from pipelines.settings import WAREHOUSE_ENV, warehouse_paths

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


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration materializes into a warehouse: `make test-fast` skips it.

    `make test` runs on two pytest-xdist workers with --dist loadgroup: each module stays on one worker
    (its module fixtures are built once), and so do all tests of the session's simulated business."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        shared = "simulated_business" in getattr(item, "fixturenames", ())
        item.add_marker(pytest.mark.xdist_group("simulated_business" if shared else item.path.stem))
