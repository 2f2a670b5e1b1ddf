"""The dbt project's files that name the lifecycle settings, generated from `LifecycleSettings`: the vars
block of dbt_project.yml, the settings table of models/_lifecycle__vars.md and the macro
lifecycle_var_names() (what a build's fingerprint and recorded settings cover).

    python -m pipelines.dbt.settings_files    rewrites them (a unit test fails while one is stale)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from pipelines.config.lifecycle import LifecycleSettings, setting_names
from pipelines.dbt.project import DBT_PROJECT_DIR

DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"
VARS_DOC = DBT_PROJECT_DIR / "models" / "_lifecycle__vars.md"
NAMES_MACRO = DBT_PROJECT_DIR / "macros" / "settings" / "setting_names.sql"
TABLE_BEGIN, TABLE_END = "<!-- settings table: generated -->", "<!-- end of generated table -->"


def render_names_macro() -> str:
    names = ",\n".join(f"        '{name}'" for name in setting_names())
    return (
        "{#- Every lifecycle var. Generated from LifecycleSettings: "
        "python -m pipelines.dbt.settings_files -#}\n"
        "{% macro lifecycle_var_names() -%}\n"
        f"    {{{{ return([\n{names},\n    ]) }}}}\n"
        "{%- endmacro %}\n"
    )


def _yaml_default(value: Any) -> str:
    return "null" if value is None else str(value)


def render_vars_block() -> str:
    width = max(len(n) for n in setting_names()) + len(": ") + 6
    lines = ["vars:"]
    for name, f in LifecycleSettings.model_fields.items():
        text = f"  {name}: {_yaml_default(f.default)}"
        plain = (f.description or "").replace("**", "")
        lines.append(f"{text:<{width}}# {plain}")
    return "\n".join(lines) + "\n"


def render_table() -> str:
    rows = ["| setting | default | rule |", "|---|---|---|"]
    for name, f in LifecycleSettings.model_fields.items():
        default = "latest event date" if f.default is None else str(f.default)
        rows.append(f"| `{name}` | {default} | {f.description} |")
    return "\n".join(rows)


def _replace_between(text: str, begin: str, end: str, body: str) -> str:
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def rendered_files() -> dict[Path, str]:
    """The generated files as they should read now."""
    project = DBT_PROJECT_FILE.read_text(encoding="utf-8")
    start = project.index("vars:\n")
    end = project.index("\n\n", start) + 1
    doc = VARS_DOC.read_text(encoding="utf-8")
    return {
        DBT_PROJECT_FILE: project[:start] + render_vars_block() + project[end:],
        VARS_DOC: _replace_between(doc, TABLE_BEGIN, TABLE_END, render_table()),
        NAMES_MACRO: render_names_macro(),
    }


def dbt_project_vars() -> dict[str, Any]:
    return dict(yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"])


def main() -> int:
    for path, text in rendered_files().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
