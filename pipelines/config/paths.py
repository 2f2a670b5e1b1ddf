"""Where the warehouse lives. The one setting shared by Dagster, dbt and the CLI.

Read at call time, never at import time, so tests and runs can point it elsewhere. Reading it has no side
effects: folders are created by `ensure()`, which writers call; dbt gets the path as an argument.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

WAREHOUSE_ENV = "LIFECYCLE_WAREHOUSE"
DEFAULT_WAREHOUSE = "warehouse"
DATABASE_FILE = "lifecycle.duckdb"
SERVING_FILE = "serving.duckdb"  # a link to the current publication's file (pipelines/serving/publish.py)
REPORT_FILE = "lifecycle_report.html"
DOCS_DIR = "docs"


# The Spark target's inputs: a folder per dbt source, <inputs>/<schema>/<table>/, whose Parquet files Spark
# reads as one table (it skips names starting with `_` or `.`); a table written whole is one file.
SPARK_WHOLE_TABLE = "all"


def spark_input_folder(inputs: Path, schema: str, table: str) -> Path:
    return inputs / schema / table


def spark_input_file(inputs: Path, schema: str, table: str, part: str = SPARK_WHOLE_TABLE) -> Path:
    return spark_input_folder(inputs, schema, table) / f"{part}.parquet"


class WarehousePaths(BaseModel):
    """What lives where in a warehouse directory; `warehouse_paths()` resolves which directory."""

    model_config = ConfigDict(frozen=True)

    root: Path

    def __init__(self, root: Path, **data: Any) -> None:
        super().__init__(root=root, **data)

    @property
    def database(self) -> Path:
        return self.root / DATABASE_FILE

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def serving_file(self) -> Path:
        """What BI tools open, read-only: the marts of the current publication."""
        return self.root / SERVING_FILE

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def report(self) -> Path:
        """The offline HTML report of the current publication."""
        return self.reports / REPORT_FILE

    @property
    def docs(self) -> Path:
        """dbt's documentation site (`lifecycle docs`)."""
        return self.root / DOCS_DIR

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this warehouse: its parse state (reused from run to run: the profile
        names this warehouse, so another folder's state would be thrown away) and the last run's results."""
        return self.root / "dbt"

    @property
    def dbt_shadow_target(self) -> Path:
        """dbt's target folder for the reconciliation's shadow build of this warehouse: its own parse state
        (the shadow schemas' var would invalidate the main one's), never shared with another warehouse."""
        return self.root / "dbt-shadow"

    @property
    def spark(self) -> Path:
        """The Spark target's files: the exported inputs, its tables and metastore (docs/spark.md)."""
        return self.root / "spark"

    @property
    def spark_inputs(self) -> Path:
        """The dbt sources exported for Spark (pipelines/spark/inputs.py, macros/spark/inputs.sql)."""
        return self.spark / "inputs"

    @property
    def spark_exports(self) -> Path:
        """The marts of the last successful Spark build, one Parquet folder each."""
        return self.spark / "exports"

    def ensure(self) -> WarehousePaths:
        # exports is a link to the current publication (pipelines/serving/publish.py), made by publishing
        for path in (self.root, self.landing, self.reports):
            path.mkdir(parents=True, exist_ok=True)
        return self


def warehouse_paths(root: str | os.PathLike[str] | None = None) -> WarehousePaths:
    """The warehouse named by `root`, else by $LIFECYCLE_WAREHOUSE, else ./warehouse; always absolute."""
    chosen = root if root is not None else os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE
    return WarehousePaths(Path(chosen).expanduser().resolve())
