"""The engine settings: sizes, shares and thread counts accepted, anything else refused with the variable's
name and what it accepts, before it reaches SQL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.config.engine import MEMORY_ENV, TEMP_DIR_ENV, THREADS_ENV, engine_settings
from pipelines.warehouse.connections import apply_engine_settings


def test_defaults_are_duckdbs_own_with_the_spill_directory_in_the_warehouse():
    settings = engine_settings(Path("/w"), {})
    assert settings.memory_limit == "80%"
    assert settings.threads >= 1
    assert settings.temp_directory == Path("/w/tmp")


@pytest.mark.parametrize("value", ["4GB", "12GiB", "512 MB", "60%", "0.5TB"])
def test_sizes_and_shares_are_accepted(value):
    assert engine_settings(Path("/w"), {MEMORY_ENV: value}).memory_limit == value.replace(" ", "")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (MEMORY_ENV, "lots"),
        (MEMORY_ENV, "4GB'; drop table x; --"),
        (MEMORY_ENV, "150%"),
        (THREADS_ENV, "0"),
        (THREADS_ENV, "two"),
        # a limit DuckDB accepts and then fails on, naming its own setting instead of the variable
        (MEMORY_ENV, "0GB"),
        (MEMORY_ENV, "1KB"),
        (MEMORY_ENV, "0.5%"),
        # thousands of threads: DuckDB spent minutes creating them before the first statement ran
        (THREADS_ENV, "99999"),
        # a superscript two is a digit to str.isdigit but not to int()
        (THREADS_ENV, "\u00b2"),
        (THREADS_ENV, "\u0663"),
    ],
)
def test_bad_values_are_refused_by_name(name, value):
    with pytest.raises(ValueError, match=name):
        engine_settings(Path("/w"), {name: value})


def test_settings_reach_a_connection(tmp_path):
    settings = engine_settings(
        tmp_path, {MEMORY_ENV: "1GiB", THREADS_ENV: "1", TEMP_DIR_ENV: str(tmp_path / "s")}
    )
    with duckdb.connect() as con:
        apply_engine_settings(con, settings)
        got = con.execute(
            "select current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('temp_directory')"
        ).fetchone()
    assert got == ("1.0 GiB", 1, str(tmp_path / "s"))


def test_a_bad_engine_setting_stops_lifecycle_run_before_any_load(warehouse, monkeypatch, capsys):
    from pipelines.cli import main
    from tests.support.landing import land_small_account

    land_small_account(warehouse.landing, "A", "2024-03-06")
    monkeypatch.setenv(THREADS_ENV, "\u00b2")
    assert main(["run", "--no-record"]) == 2
    assert THREADS_ENV in capsys.readouterr().err
    assert not warehouse.database.exists()
