"""What dbt's `spark` target needs from the environment (profiles.yml reads it).

python -m pipelines.spark.session    prints `export ...` lines for running dbt by hand
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

from pipelines.errors import ConfigError

JARS_ENV = "LIFECYCLE_SPARK_JARS"
# Apache Iceberg's Spark runtime, from a PyPI package (Maven is out of reach on these machines); built for
# Spark 3.5 and Scala 2.12, as pyspark 3.5 is
ICEBERG_PACKAGE = "snowpark_connect_deps_iceberg"
ICEBERG_JAR = "iceberg-spark-runtime-3.5_2.12-1.10.2.jar"


class SparkUnavailable(ConfigError, RuntimeError):
    """The spark extra (pyspark, the Iceberg runtime jar) is not installed."""


def iceberg_runtime_jar() -> Path:
    """The jar's path, without importing the package; a clear error when the spark extra is missing."""
    spec = importlib.util.find_spec(ICEBERG_PACKAGE)
    jar = Path(spec.origin).parent / "jars" / ICEBERG_JAR if spec and spec.origin else None
    if jar is None or not jar.exists():
        raise SparkUnavailable(
            f"the Spark target needs {ICEBERG_JAR}: install the project's spark extra "
            "(`uv sync --extra spark`, or `pip install 'customer-lifecycle[spark]'`)"
        )
    return jar


def spark_vars(environ: Mapping[str, str]) -> dict[str, str]:
    """The dbt vars of a Spark build: the Iceberg jar unless `environ` names one already."""
    return {} if environ.get(JARS_ENV) else {"spark_jars": str(iceberg_runtime_jar())}


def spark_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to add for a Spark build: the Iceberg jar unless `environ` names one already."""
    return {} if environ.get(JARS_ENV) else {JARS_ENV: str(iceberg_runtime_jar())}


if __name__ == "__main__":
    print(f"export {JARS_ENV}={iceberg_runtime_jar()}")
