"""`lifecycle docs`: dbt's documentation site for the warehouse, as one static file, optionally served.

`dbt docs generate --static` writes the lineage, every model and column description, the tests, the
exposures and the catalog (column types read from the warehouse) into one HTML file that
opens offline. It reads the working database, so it takes the writer lock like every other writer.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import subprocess
from pathlib import Path

from pipelines.defs.dbt.args import WAREHOUSE_VAR
from pipelines.defs.resources import DBT_PROJECT_DIR, dbt_executable
from pipelines.raw.db import writer_lock
from pipelines.settings import WarehousePaths

DOCS_DIR = "docs"
STATIC_PAGE = "static_index.html"


def docs_generate_args(target: Path, warehouse: Path) -> list[str]:
    return [
        "docs",
        "generate",
        "--static",
        "--target-path",
        str(target),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--vars",
        json.dumps({WAREHOUSE_VAR: str(warehouse)}),
        "--quiet",
    ]


def generate_docs(paths: WarehousePaths) -> Path:
    """Write `<warehouse>/docs/static_index.html`; returns its path."""
    if not paths.database.exists():
        raise FileNotFoundError(f"no warehouse database at {paths.database}: run `lifecycle run` first")
    target = paths.root / DOCS_DIR
    with writer_lock(paths.root, "dbt docs generate"):
        subprocess.run(
            [dbt_executable(), *docs_generate_args(target, paths.root)], cwd=DBT_PROJECT_DIR, check=True
        )
    return target / STATIC_PAGE


def serve_docs(folder: Path, port: int) -> None:
    """Serve `folder` on http://127.0.0.1:<port>/ until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving the dbt docs on http://127.0.0.1:{port}/{STATIC_PAGE} (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
