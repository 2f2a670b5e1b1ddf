"""A throwaway warehouse for linting the dbt project: `python -m tests.support.lint_warehouse DIR [--built]`.

sqlfluff's dbt templater renders each model against the warehouse its profile names. Linting against
the working warehouse made the result depend on what the last run left there (`make demo` made the
incremental branches render, and they alone were not layout-clean). `make lint` renders twice against
warehouses of its own: an empty one (every model as a first build) and one where every model exists
(`--built`: the raw tables, empty, and one `dbt run`), so both branches of is_incremental() are linted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from pipelines.dbt.invoke import run_models
from pipelines.raw.tables import create_raw_tables


def main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve()
    root.mkdir(parents=True, exist_ok=True)
    if "--built" in argv[1:]:
        with duckdb.connect(str(root / "lifecycle.duckdb")) as con:
            create_raw_tables(con)
        run_models(root, {})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
