"""Fixtures shared by the integration tests that need a realistic business, built once per session."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.delivery import simulated_warehouse


@pytest.fixture(scope="session")
def simulated_business(tmp_path_factory):
    """6,000 simulated accounts over five years (fixed seed, so reproducible), delivered as six yearly
    exports and loaded by `lifecycle run`: the marts, the serving file, the exports and the report."""
    with simulated_warehouse(
        tmp_path_factory.mktemp("business"),
        {year: f"2030-01-0{year - 2020}" for year in range(2021, 2027)},
        [],
        accounts=6000,
        start=date(2021, 1, 1),
        end=date(2025, 12, 31),
        seed=11,
    ) as paths:
        yield paths
