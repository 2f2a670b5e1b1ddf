"""The dbt project, and the one place its manifest is prepared (Makefile, CLI and Dagster all call this).

`python -m pipelines.defs.dbt.project` parses the project when the manifest is missing or older than any
model, macro, test or project file; otherwise it does nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.defs.resources import DBT_PROJECT_DIR, dbt_executable

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
SOURCE_FOLDERS = ("models", "macros", "tests", "analyses")
SOURCE_SUFFIXES = (".sql", ".yml", ".yaml", ".md")


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when the manifest is missing or older than any model, macro, test or project file."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml"]
    for folder in SOURCE_FOLDERS:
        sources += [p for p in (project_dir / folder).rglob("*") if p.suffix in SOURCE_SUFFIXES]
    return any(p.stat().st_mtime > built for p in sources if p.exists())


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Parse the project when its manifest is stale; returns the manifest's path."""
    if manifest_is_stale(Path(project.project_dir), project.manifest_path):
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(project.profiles_dir)],
            cwd=project.project_dir,
            check=True,
        )
        project.manifest_path.touch()  # dbt keeps an unchanged manifest's old mtime
    return project.manifest_path


if __name__ == "__main__":
    print(prepare_manifest())
    sys.exit(0)
