"""The dbt project, and the one place its manifest is prepared (Makefile, CLI and Dagster all call this).

`python -m pipelines.dbt.project` parses the project when the manifest is missing or older than any
model, macro, test or project file; otherwise it does nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.dbt.args import parse_args, parse_state_args

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# profiles.yml sits in the project; every invocation names it, so ~/.dbt is never read
PROFILES_DIR = DBT_PROJECT_DIR
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
PARSED_WITH = "parsed_with.txt"  # beside the manifest: the arguments of the parse that wrote it
PARSE_SEED = "parse_seed.msgpack"  # beside it: that parse's state, which seeds new warehouses' parses
SOURCE_FOLDERS = ("models", "macros", "tests", "analyses")
SOURCE_SUFFIXES = (".sql", ".yml", ".yaml", ".md")


def dbt_executable() -> str:
    """dbt from this interpreter's environment (the venv is not always on PATH), else from PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when the manifest is missing or older than any model, macro, test or project file."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml"]
    for folder in SOURCE_FOLDERS:
        sources += [p for p in (project_dir / folder).rglob("*") if p.suffix in SOURCE_SUFFIXES]
    return any(p.stat().st_mtime > built for p in sources if p.exists())


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR, manifest: Path = MANIFEST) -> Path:
    """Parse the project when its manifest is stale, or was parsed with other vars than the parse vars
    (its parse state then seeds each new warehouse's: dbt/invoke.py); returns the manifest's path."""
    args = [*parse_args(PROFILES_DIR), *parse_state_args()]
    stamp, seed = manifest.with_name(PARSED_WITH), manifest.with_name(PARSE_SEED)
    if (
        manifest_is_stale(project_dir, manifest)
        or not seed.exists()
        or not stamp.exists()
        or stamp.read_text() != str(args)
    ):
        subprocess.run([dbt_executable(), *args], cwd=project_dir, check=True)
        manifest.touch()  # dbt keeps an unchanged manifest's old mtime
        # kept apart: any dbt run in the project folder (sqlfluff's templater) rewrites the parse state
        partial = seed.with_name(f".{PARSE_SEED}")
        shutil.copyfile(manifest.with_name("partial_parse.msgpack"), partial)
        partial.replace(seed)
        stamp.write_text(str(args))
    return manifest


if __name__ == "__main__":
    print(prepare_manifest())
    sys.exit(0)
