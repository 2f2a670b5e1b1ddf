"""Python reads only what the dbt project declares as its interface: the marts, and the models marked
`access: public`. A model Python reads by name can then not be renamed or reshaped without its YAML saying
that it is read elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipelines.dbt.project import prepare_manifest

ROOT = Path(__file__).resolve().parents[2]
# schema.table in SQL text of the Python code (and the benchmarks, which read as a user would)
READ = re.compile(r"\b(staging|intermediate)\.((?:stg|int)_\w+)")


def models_read_by_python() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in [*(ROOT / "pipelines").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        for _, model in READ.findall(path.read_text(encoding="utf-8")):
            found.setdefault(model, set()).add(str(path.relative_to(ROOT)))
    return found


def test_python_reads_no_model_that_is_not_public():
    nodes = json.loads(prepare_manifest().read_text())["nodes"]
    access = {n["name"]: n.get("access") for n in nodes.values() if n["resource_type"] == "model"}
    read = models_read_by_python()
    assert read, "the scan found nothing: it no longer matches how Python names tables"
    internal = {model: sorted(paths) for model, paths in read.items() if access.get(model) != "public"}
    assert internal == {}
