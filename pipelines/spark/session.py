"""What dbt's `spark` target needs from the environment (profiles.yml reads it).

python -m pipelines.spark.session    prints `export ...` lines for running dbt by hand
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelines.errors import ConfigError

JARS_ENV = "LIFECYCLE_SPARK_JARS"
# Spark's log to <warehouse>/spark/spark.log instead of the terminal (profiles.yml)
LOG_CONFIG_ENV = "LIFECYCLE_SPARK_LOG_CONFIG"
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
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


# What the Spark session of this process serves, once a build in this process started it
_session_serves: str | None = None


def claim_session(serves: str) -> bool:
    """May a Spark build of `serves` (its warehouse and Spark settings, as one string) run in this
    process? Spark keeps a session's catalog, metastore and memory for the life of its JVM, so this
    process's session can serve only the first warehouse and settings a build claimed it for: True for
    those (the JVM is started once, and warm, for each of their builds), False for any other, which then
    builds in a subprocess."""
    global _session_serves
    if _session_serves is None:
        _session_serves = serves
    return _session_serves == serves


def release_session() -> None:
    """Stop this process's Spark session, if a build started one, and its JVM: the next Spark build in
    this process may serve any warehouse."""
    global _session_serves
    _session_serves = None
    pyspark: Any = sys.modules.get("pyspark")  # imported by a build, if one ran here
    if pyspark is None:
        return
    if pyspark.SparkContext._active_spark_context is not None:
        pyspark.SparkContext._active_spark_context.stop()
    gateway = pyspark.SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        pyspark.SparkContext._gateway = pyspark.SparkContext._jvm = None
        if gateway.proc is not None:  # the JVM ends when the pipe to its standard input closes
            gateway.proc.stdin.close()
            gateway.proc.wait()


def spark_vars(environ: Mapping[str, str]) -> dict[str, str]:
    """The dbt vars of a Spark build: the Iceberg jar and Spark's log configuration, each unless
    `environ` names one already."""
    return {var: value for var, (env, value) in _spark_settings().items() if not environ.get(env)}


def spark_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to add for a Spark build: the Iceberg jar and Spark's log configuration, each unless
    `environ` names one already."""
    return {env: value for env, value in _spark_settings().values() if not environ.get(env)}


def _spark_settings() -> dict[str, tuple[str, str]]:
    """dbt var -> (environment variable profiles.yml reads instead, the value this installation has)."""
    return {
        "spark_jars": (JARS_ENV, str(iceberg_runtime_jar())),
        "spark_log_config": (LOG_CONFIG_ENV, str(LOG_CONFIG)),
    }


if __name__ == "__main__":
    for env, value in spark_environ({}).items():
        print(f"export {env}={value}")
