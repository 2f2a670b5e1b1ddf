"""Fixtures shared by the integration tests that need a realistic business, built once per test session."""

from __future__ import annotations

import fcntl
import os
from datetime import date

import pytest

from pipelines.config.paths import WAREHOUSE_ENV, warehouse_paths
from tests.support.delivery import simulated_warehouse

READY = "built"  # written into the business's folder once its run has succeeded


@pytest.fixture(scope="session")
def simulated_business(tmp_path_factory):
    """6,000 simulated accounts over five years (fixed seed, so reproducible), delivered as six yearly
    exports and loaded by `lifecycle run`: the marts, the serving file, the exports and the report.

    Built once for the whole session, whichever worker needs it first (the others wait for it under a
    file lock) and only read: a test that writes works on a copy."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the session's, not a worker's
    root = shared / "simulated-business"
    with (shared / "simulated-business.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / READY).exists():
                root.mkdir(exist_ok=True)
                with simulated_warehouse(
                    root,
                    {year: f"2030-01-0{year - 2020}" for year in range(2021, 2027)},
                    [],
                    accounts=6000,
                    start=date(2021, 1, 1),
                    end=date(2025, 12, 31),
                    seed=11,
                ):
                    pass
                (root / READY).touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(WAREHOUSE_ENV, str(root / "warehouse"))
        mp.delenv("DAGSTER_HOME", raising=False)
        yield warehouse_paths()
