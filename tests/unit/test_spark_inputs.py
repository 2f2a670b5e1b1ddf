"""What a Spark build needs from the DuckDB side (every dbt source exported, the Iceberg jar found), and
which builds may share the Spark session of a process."""

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
    log_config = {session.LOG_CONFIG_ENV: str(session.LOG_CONFIG)}
    assert session.spark_environ({}) == {session.JARS_ENV: str(session.iceberg_runtime_jar())} | log_config
    assert session.spark_environ({session.JARS_ENV: "/opt/jars/iceberg.jar"}) == log_config
    assert session.LOG_CONFIG.is_file()


def test_a_missing_spark_extra_is_named(monkeypatch):
    monkeypatch.setattr(session, "ICEBERG_PACKAGE", "not_installed_anywhere")
    with pytest.raises(RuntimeError, match="install the project's spark extra"):
        session.iceberg_runtime_jar()


def test_the_process_spark_session_serves_only_the_warehouse_and_settings_it_was_claimed_for(monkeypatch):
    monkeypatch.setattr(session, "_session_serves", None)
    first = "/srv/warehouse ['--vars', '{\"engine_threads\": \"2\"}']"
    assert session.claim_session(first)
    assert session.claim_session(first)  # the next build of the same warehouse: the warm session
    assert not session.claim_session("/srv/other ['--vars', '{\"engine_threads\": \"2\"}']")
    assert not session.claim_session("/srv/warehouse ['--vars', '{\"engine_threads\": \"4\"}']")
    assert session.claim_session(first)
    session.release_session()  # no session was started: only the claim ends
    assert session.claim_session("/srv/other ['--vars', '{\"engine_threads\": \"2\"}']")
