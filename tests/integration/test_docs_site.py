"""`lifecycle docs` writes dbt's documentation as one static page that opens offline, with the catalog
read from the warehouse (column types of the built marts) and the exposures."""

from __future__ import annotations

import json
import shutil

from pipelines.cli import main
from pipelines.config.paths import warehouse_paths
from pipelines.serving.docs import STATIC_PAGE


def test_docs_are_written_with_the_catalog_and_exposures(simulated_business, tmp_path):
    # the shared business is only read: `lifecycle docs` writes, so it reads a copy of the database
    paths = warehouse_paths(tmp_path / "warehouse").ensure()
    shutil.copyfile(simulated_business.database, paths.database)
    assert main(["docs", "--warehouse", str(paths.root)]) == 0
    folder = paths.docs
    page = (folder / STATIC_PAGE).read_text(encoding="utf-8")
    assert "at_risk_accounts" in page
    assert "exposure.lifecycle.lifecycle_report" in page
    # the landing page: the project's overview (dbt shows the project's __overview__ block over its own)
    assert "Customer lifecycle: the marts and where they come from" in page
    catalog = json.loads((folder / "catalog.json").read_text())
    accounts = catalog["nodes"]["model.lifecycle.accounts"]["columns"]
    assert accounts["current_stage"]["type"].lower() == "varchar"
    assert accounts["lifetime_revenue"]["type"].lower().startswith("decimal")
