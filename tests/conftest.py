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


# The longest modules, longest first: `make test` hands whole modules to two workers in this order
# (--dist loadfile --no-loadscope-reorder), so no long module starts last and runs alone at the end.
# Only a scheduling hint: a module missing here runs after these, in file order.
LONGEST_FIRST = (
    "test_spark_target",
    "test_operations",
    "test_incremental_builds",
    "test_bi_site",
    "test_dagster_ui",
    "test_finance_marts",
    "test_lifecycle_properties",
    "test_import_and_revenue",
    "test_publishing",
    "test_reconcile",
    "test_churn_drivers_planted",
    "test_lifecycle_scenarios",
    "test_churn_driver_bands",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration materializes into a warehouse: `make test-fast` skips it."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: file order otherwise
