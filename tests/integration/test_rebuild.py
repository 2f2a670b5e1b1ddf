"""`lifecycle run --rebuild`: every model rebuilt from scratch from the raw layer as it is, without loading
a landed day again (after a change of rules or code, or to repair a model an incremental build would not
touch): the same models as the build before it, the raw layer untouched, and no landing folder needed."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines.cli import main
from pipelines.quality.reconcile import compare
from tests.support.copies import use_copy_of

pytestmark = pytest.mark.integration

RAW_COUNTS = (
    "select (select count(*) from raw.sales_events), (select count(*) from raw.service_events),"
    " (select count(*) from raw.contact_events), (select count(*) from raw.account_changes)"
)


def test_rebuild_builds_every_model_from_the_raw_layer_without_ingesting(
    simulated_business, tmp_path, monkeypatch, capsys
):
    paths = use_copy_of(simulated_business, tmp_path / "warehouse", monkeypatch)  # the session's: read only
    before = tmp_path / "before.duckdb"
    shutil.copyfile(paths.database, before)
    with duckdb.connect(str(paths.database)) as con:
        [raw] = con.execute(RAW_COUNTS).fetchall()
        # damage an incremental model: a build that recomputes only touched accounts leaves it so
        [(account,)] = con.execute(
            "select min(account_id) from intermediate.int_revenue_lines_converted"
        ).fetchall()
        con.execute("delete from intermediate.int_revenue_lines_converted where account_id = ?", [account])
    shutil.rmtree(paths.landing)  # nothing is read from it

    assert main(["run", "--rebuild", "--quiet", "--no-record"]) == 0
    assert "rebuilt from the raw layer, nothing ingested" in capsys.readouterr().out

    with duckdb.connect(str(paths.database), read_only=True) as con:
        assert con.execute(RAW_COUNTS).fetchall() == [raw]
        con.execute("attach ? as before (read_only)", [str(before)])
        outcome = compare(con, ("lifecycle", ""), ("before", ""))
    assert outcome.tables
    assert outcome.differences == {}

    # a rebuild loads no day, so it takes none
    assert main(["run", "--rebuild", "--start", "2024-06-01", "--quiet", "--no-record"]) != 0
    assert "leave out --start and --end" in capsys.readouterr().err
