"""Fixtures shared by the integration tests that need a realistic business, built once per session."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.cli import main
from pipelines.settings import WAREHOUSE_ENV, warehouse_paths
from pipelines.simulator import simulate
from tests.support.delivery import deliver_as_exports


@pytest.fixture(scope="session")
def simulated_business(tmp_path_factory):
    """6,000 simulated accounts over five years (fixed seed, so reproducible), delivered as six yearly
    exports and loaded by `lifecycle run`: the marts, the serving file, the exports and the report."""
    root = tmp_path_factory.mktemp("business")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(WAREHOUSE_ENV, str(root / "warehouse"))
        mp.delenv("DAGSTER_HOME", raising=False)
        paths = warehouse_paths().ensure()
        simulate(paths.landing, accounts=6000, start=date(2021, 1, 1), end=date(2025, 12, 31), seed=11)
        deliver_as_exports(paths.landing, {year: f"2030-01-0{year - 2020}" for year in range(2021, 2027)})
        assert main(["run", "--quiet"]) == 0
        yield paths
