"""No import runs up a layer (docs/architecture.md): a package imports only packages on its own layer
or below, so the infrastructure never learns about what is built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINES = Path(__file__).resolve().parents[2] / "pipelines"

# bottom to top; a package may import its own layer and the layers below
LAYERS: list[set[str]] = [
    {"errors", "contract", "config"},
    {"warehouse"},
    {"dbt"},
    {"raw", "imports", "simulator", "finance", "churn", "forecast", "serving", "spark", "quality", "runs"},
    {"defs"},
    {"definitions"},
    {"runner", "cli"},
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}


def top_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "pipelines" and len(parts) > 1 else None


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def modules() -> list[Path]:
    return sorted(PIPELINES.rglob("*.py"))


def test_every_package_has_a_layer():
    packages = {p.relative_to(PIPELINES).parts[0].removesuffix(".py") for p in modules()}
    assert packages - {"__init__"} <= set(LAYER_OF), sorted(packages - set(LAYER_OF) - {"__init__"})


def upward_imports(path: Path, root: Path = PIPELINES) -> list[str]:
    own = path.relative_to(root).parts[0].removesuffix(".py")
    wrong = []
    for module in imports_of(path):
        other = top_package(module)
        if other is None or other == own or own == "__init__":
            continue
        if LAYER_OF[other] > LAYER_OF[own]:
            wrong.append(f"{path.relative_to(root)} imports {module}")
    return wrong


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PIPELINES)))
def test_no_import_runs_up_a_layer(path):
    assert upward_imports(path) == []


def test_the_check_catches_an_upward_import(tmp_path):
    module = tmp_path / "warehouse" / "bad.py"
    module.parent.mkdir()
    module.write_text("from pipelines.defs.resources import WarehouseResource\nimport pipelines.dbt.args\n")
    assert sorted(upward_imports(module, root=tmp_path)) == [
        "warehouse/bad.py imports pipelines.dbt.args",
        "warehouse/bad.py imports pipelines.defs.resources",
    ]
