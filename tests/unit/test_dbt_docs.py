"""What BI users read about the marts: every mart and column is described and typed under an enforced
contract, and the exposures name exactly what the report and the exports read."""

from __future__ import annotations

import inspect
import json
import re

import pytest

from pipelines.dbt.project import prepare_manifest
from pipelines.quality.reconcile import PYTHON_MARTS
from pipelines.serving import report


@pytest.fixture(scope="module")
def manifest():
    return json.loads(prepare_manifest().read_text())


def marts(manifest) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }


def test_every_mart_and_column_is_documented_and_typed_under_an_enforced_contract(manifest):
    found = marts(manifest)
    assert len(found) >= 16
    for name, node in found.items():
        assert node["description"].strip(), name
        assert node["config"]["contract"]["enforced"], name
        assert node["columns"], name
        for column, spec in node["columns"].items():
            assert spec["description"].strip(), f"{name}.{column} has no description"
            assert spec["data_type"], f"{name}.{column} has no data_type"


def _exposure(manifest, name: str) -> set[str]:
    nodes = manifest["exposures"][f"exposure.lifecycle.{name}"]["depends_on"]["nodes"]
    return {n.split(".")[-1] for n in nodes}


def test_the_exports_exposure_covers_every_mart(manifest):
    assert _exposure(manifest, "bi_exports") == set(marts(manifest))


def test_the_report_exposure_names_the_marts_the_report_reads(manifest):
    queried = set(re.findall(r"from marts\.(\w+)", inspect.getsource(report)))
    assert queried
    # the marts Python writes are no dbt nodes: each has an exposure of its own instead (below)
    assert _exposure(manifest, "lifecycle_report") == queried - set(PYTHON_MARTS)


@pytest.mark.parametrize("table", PYTHON_MARTS)
def test_a_mart_written_by_python_is_documented_by_an_exposure_naming_every_column(manifest, table):
    exposure = manifest["exposures"][f"exposure.lifecycle.{table}"]
    assert exposure["depends_on"]["nodes"], "the marts it is computed from"
    for column, _ in PYTHON_MARTS[table]:
        assert f"`{column}`" in exposure["description"], column
