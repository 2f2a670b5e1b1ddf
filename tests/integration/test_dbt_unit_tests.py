"""dbt's unit tests (the `unit_tests:` of the model YAML) pass. A load leaves them out (they check a model's
SQL on fixed rows, whatever the warehouse holds: pipelines/dbt/args.py), so they run here, once, against a
warehouse where every model exists (dbt reads the column types of their inputs from it)."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines.dbt.invoke import run_models, run_unit_tests
from pipelines.dbt.project import prepare_manifest
from pipelines.raw.tables import create_raw_tables

pytestmark = pytest.mark.integration


def test_every_dbt_unit_test_passes(tmp_path):
    root = tmp_path / "warehouse"
    root.mkdir()
    with duckdb.connect(str(root / "lifecycle.duckdb")) as con:
        create_raw_tables(con)
    run_models(root, {})
    result = run_unit_tests(root)
    outcomes = {
        r.node.name: (str(r.status), r.message) for r in result.result if r.node.resource_type == "unit_test"
    }
    assert result.success, {name: o for name, o in outcomes.items() if o[0] != "pass"}
    declared = json.loads(prepare_manifest().read_text())["unit_tests"]
    assert len(outcomes) == len(declared) >= 4
    assert {o[0] for o in outcomes.values()} == {"pass"}
