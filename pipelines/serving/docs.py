"""`lifecycle docs`: dbt's documentation site for the warehouse, as one static file, optionally served.

`dbt docs generate --static` writes the lineage, every model and column description, the tests, the
exposures and the catalog (column types read from the warehouse) into one HTML file that
opens offline. It reads the working database, so it takes the writer lock like every other writer.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
from pathlib import Path

from pipelines.config.paths import WarehousePaths
from pipelines.dbt.args import docs_generate_args
from pipelines.dbt.invoke import run_dbt
from pipelines.dbt.project import PROFILES_DIR
from pipelines.errors import NotBuiltYet
from pipelines.warehouse.connections import writer_lock

STATIC_PAGE = "static_index.html"


def generate_docs(paths: WarehousePaths) -> Path:
    """Write `<warehouse>/docs/static_index.html`; returns its path."""
    if not paths.database.exists():
        raise NotBuiltYet(f"no warehouse database at {paths.database}: run `lifecycle run` first")
    target = paths.docs
    with writer_lock(paths.root, "dbt docs generate"):
        run_dbt(docs_generate_args(PROFILES_DIR, target, paths.root))
    return target / STATIC_PAGE


def serve_docs(folder: Path, port: int) -> None:
    """Serve `folder` on http://127.0.0.1:<port>/ until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving the dbt docs on http://127.0.0.1:{port}/{STATIC_PAGE} (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
