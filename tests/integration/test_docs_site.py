"""`lifecycle docs` writes dbt's documentation as one static page that opens offline, with the catalog
read from the warehouse (column types of the built marts) and the exposures."""

from __future__ import annotations

import json

from pipelines.cli import main
from pipelines.serving.docs import DOCS_DIR, STATIC_PAGE


def test_docs_are_written_with_the_catalog_and_exposures(simulated_business):
    assert main(["docs", "--warehouse", str(simulated_business.root)]) == 0
    folder = simulated_business.root / DOCS_DIR
    page = (folder / STATIC_PAGE).read_text(encoding="utf-8")
    assert "at_risk_accounts" in page
    assert "exposure.lifecycle.lifecycle_report" in page
    catalog = json.loads((folder / "catalog.json").read_text())
    accounts = catalog["nodes"]["model.lifecycle.accounts"]["columns"]
    assert accounts["current_stage"]["type"].lower() == "varchar"
    assert accounts["lifetime_revenue"]["type"].lower().startswith("decimal")
