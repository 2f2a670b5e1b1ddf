"""`lifecycle run` without --start/--end loads the arrival days whose landing files changed since their
last load, not every landed day again (a daily run from cron paid a read of the whole history and a run
record per landed day and stream): a new warehouse loads every day, a rewritten file or a removed folder
brings back its day alone, and a run that finds nothing changed loads no day (the FX rates still load)
and builds and publishes as usual. An explicit range loads every day in it, changed or not."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines.cli import main
from pipelines.contract import STREAMS
from pipelines.definitions import defs
from pipelines.defs.ingest.assets import AUDIT_KEY, FX_KEY, raw_key
from pipelines.defs.ingest.triggers import LIFECYCLE_JOB
from pipelines.raw.loader import landed_days, load_days
from pipelines.runner import changed_range, selected_assets
from tests.support.operations import land_business

pytestmark = pytest.mark.integration

MARCH, OCTOBER = date(2024, 3, 6), date(2024, 10, 2)  # the two arrival days land_business delivers


def audit(database) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select stream, arrival_date, source_file, started_at from raw.ingest_batches order by all"
        ).fetchall()


def load_everything(paths) -> None:
    with duckdb.connect(str(paths.database)) as con:
        for schema in STREAMS.values():
            load_days(con, paths.landing, schema, landed_days(paths.landing, schema.name))


def test_a_run_over_every_landed_day_loads_the_days_changed_since_their_last_load(warehouse, capsys):
    land_business(warehouse.landing)
    assert changed_range(warehouse) == (MARCH, OCTOBER)  # a new warehouse: every landed day
    load_everything(warehouse)
    assert changed_range(warehouse) is None

    rewritten = next((warehouse.landing / "sales" / OCTOBER.isoformat()).iterdir())
    rewritten.write_bytes(rewritten.read_bytes())  # the same bytes written again: loaded again, harmless
    assert changed_range(warehouse) == (OCTOBER, OCTOBER)
    load_everything(warehouse)
    assert changed_range(warehouse) is None
    for folder in (warehouse.landing / "contact" / MARCH.isoformat()).iterdir():
        folder.unlink()
    (warehouse.landing / "contact" / MARCH.isoformat()).rmdir()
    assert changed_range(warehouse) == (MARCH, MARCH)  # loading it empties the day
    load_everything(warehouse)
    with duckdb.connect(str(warehouse.database)) as con:  # as if the day had been emptied by a load
        con.execute("delete from raw.ingest_batches where stream = 'contact' and arrival_date = ?", [MARCH])
    assert changed_range(warehouse) is None

    before = audit(warehouse.database)
    (warehouse.landing / "fx_rates").mkdir()
    (warehouse.landing / "fx_rates" / "rates.csv").write_text(
        "rate_date,base_currency,currency,rate\n2024-03-06,EUR,USD,1.0850\n"
    )
    assert main(["run", "--quiet", "--no-record"]) == 0
    out = capsys.readouterr().out
    assert "no landed arrival day changed since its last load, none ingested" in out
    assert "result: ok" in out
    assert audit(warehouse.database) == before  # no day read again
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert con.execute("select count(*) from marts.accounts").fetchone()[0] == 4
        assert con.execute("select count(*) from raw.fx_rates").fetchone()[0] == 1
    assert (warehouse.serving_file).exists()

    # such a run loads the FX rates and nothing else of the ingest group: the audit of no days would
    # check every landed day
    job = defs.resolve_job_def(LIFECYCLE_JOB)
    ingesting = set(job.asset_layer.executable_asset_keys) - set(selected_assets(job, "duckdb", True, False))
    assert FX_KEY not in ingesting
    assert ingesting == {raw_key(s) for s in STREAMS} | {AUDIT_KEY}

    # a range named on the command line is loaded whole, changed or not
    assert main(["run", "--quiet", "--no-record", "--start", OCTOBER.isoformat()]) == 0
    reloaded = {row[1] for row in set(audit(warehouse.database)) - set(before)}
    assert reloaded == {OCTOBER}
