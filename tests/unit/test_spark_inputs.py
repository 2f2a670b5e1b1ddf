"""What a Spark build needs from the DuckDB side: every dbt source exported, and the Iceberg jar found."""

import json

import pytest

from pipelines.dbt.project import prepare_manifest
from pipelines.spark import session
from pipelines.spark.inputs import INPUT_TABLES, PYTHON_INPUTS


def test_every_dbt_source_is_exported_for_spark():
    manifest = json.loads(prepare_manifest().read_text())
    sources = {(s["schema"], s["identifier"]) for s in manifest["sources"].values()}
    assert set(INPUT_TABLES) | set(PYTHON_INPUTS) == sources


def test_the_iceberg_runtime_jar_is_installed_with_the_spark_extra():
    assert session.iceberg_runtime_jar().stat().st_size > 10_000_000
    assert session.spark_environ({}) == {session.JARS_ENV: str(session.iceberg_runtime_jar())}
    assert session.spark_environ({session.JARS_ENV: "/opt/jars/iceberg.jar"}) == {}


def test_a_missing_spark_extra_is_named(monkeypatch):
    monkeypatch.setattr(session, "ICEBERG_PACKAGE", "not_installed_anywhere")
    with pytest.raises(RuntimeError, match="install the project's spark extra"):
        session.iceberg_runtime_jar()
