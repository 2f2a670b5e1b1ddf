"""`lifecycle docs`: dbt's documentation site for the warehouse, optionally served."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pipelines.config.paths import warehouse_paths

if TYPE_CHECKING:
    pass


def _cmd_docs(args: argparse.Namespace) -> int:
    from pipelines.serving.docs import generate_docs, serve_docs

    page = generate_docs(warehouse_paths(args.warehouse))
    print(f"wrote the dbt docs to {page} (opens offline)")
    if args.serve:
        serve_docs(page.parent, args.port)
    return 0


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    docs = sub.add_parser(
        "docs",
        parents=[common],
        help="write dbt's documentation (lineage, models, columns, tests, exposures, catalog) as one "
        "static page under <warehouse>/docs; --serve serves it locally",
    )
    docs.add_argument("--serve", action="store_true", help="serve the page on 127.0.0.1 until Ctrl-C")
    docs.add_argument("--port", type=int, default=8080, help="port for --serve (default 8080)")
    docs.set_defaults(handler=_cmd_docs)
