"""A customer's own export: import-csv -> landing -> run, with FX conversion and its failure mode."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main

EXPORT = """Kunde;Datum;Betrag;Waehrung
ACME;01.03.2024;100.00;EUR
ACME;01.03.2024;100.00;EUR
Globex;02.03.2024;430.00;PLN
"""
MAP = [
    "--map",
    "Kunde=account_id",
    "--map",
    "Datum=occurred_at",
    "--map",
    "Betrag=amount",
    "--map",
    "Waehrung=currency",
]
IMPORT = ["import-csv", "--delimiter", ";", "--date-format", "%d.%m.%Y", *MAP]


def test_import_run_convert_and_reimport(warehouse, tmp_path, capsys):
    export = tmp_path / "crm_export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-03"]) == 0
    rates = warehouse.landing / "fx_rates"
    rates.mkdir()
    (rates / "rates.csv").write_text("rate_date,base_currency,currency,rate\n2024-03-01,EUR,PLN,4.30\n")

    # PLN revenue on 2024-03-02 has no rate: the build stops and says which
    capsys.readouterr()
    assert main(["run", "--quiet", "--no-record"]) == 1
    out = capsys.readouterr().out
    assert "Missing FX rate" in out
    assert "PLN on 2024-03-02" in out
    # the whole reason, and where to look next: the run's own output, not compute logs it never kept
    assert "compute logs" not in out
    assert "where to look next:" in out
    assert "dbt_test__audit" in out
    log_file = out.split("dbt and step output: ", 1)[1].split()[0]
    assert "assert_revenue_lines_have_fx_rates" in Path(log_file).read_text(encoding="utf-8")

    (rates / "rates.csv").write_text(
        "rate_date,base_currency,currency,rate\n2024-03-01,EUR,PLN,4.30\n2024-03-02,EUR,PLN,4.30\n"
    )
    # the same export delivered again on a later day: ids repeat, so nothing is counted twice
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-05"]) == 0
    assert main(["run", "--quiet", "--no-record"]) == 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert con.execute("select count(*) from raw.sales_events").fetchone()[0] == 6
        assert con.execute("select sum(rows_duplicate) from raw.ingest_batches").fetchone()[0] == 6
        rows = con.execute(
            "select account_id, n_orders, lifetime_revenue, current_stage from marts.accounts"
        ).fetchall()
    accounts = {r[0]: r[1:] for r in rows}
    assert accounts["ACME"][0] == 2  # two identical rows are two sales (one purchase day)
    assert float(accounts["ACME"][1]) == 200.0
    assert float(accounts["Globex"][1]) == 100.0  # 430 PLN at 4.30 per EUR
    assert accounts["ACME"][2] == "first_buyer"


def test_strict_import_refuses_a_file_with_a_bad_row_and_writes_nothing(warehouse, tmp_path, capsys):
    export = tmp_path / "bad.csv"
    export.write_text("Kunde;Datum;Betrag;Waehrung\nACME;2024-03-01;12,5;EUR\n", encoding="utf-8")
    assert main([*IMPORT, "--strict", str(export)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv: row 1, column 'Datum': not a date in format %d.%m.%Y" in err
    assert "row 1, column 'Betrag': not a decimal number (--decimal-comma?): '12,5'" in err
    assert not (warehouse.landing / "sales").exists()


def test_bad_rows_reach_the_quarantine_with_the_export_row_and_good_rows_load(warehouse, tmp_path, capsys):
    export = tmp_path / "mixed.csv"
    export.write_text(
        "Kunde;Datum;Betrag;Waehrung\nACME;01.03.2024;10.00;EUR\nACME;01.03.2024;12,5;EUR\n", encoding="utf-8"
    )
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-03"]) == 0
    assert "1 x column 'Betrag': not a decimal number (--decimal-comma?); first in row 2: '12,5'" in (
        capsys.readouterr().err
    )
    assert main(["run", "--quiet", "--no-record"]) == 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert con.execute("select count(*) from raw.sales_events").fetchone() == (2,)
        quarantined = con.execute("select reason, payload from raw.quarantine order by source_row").fetchall()
    # one row to fix: the export row, whose order and invoice the import made
    [(reason, payload)] = quarantined
    assert reason.startswith(
        "invalid amount: not a decimal number: 12,5; export row 2 delivered 2 invalid events: "
    )
    assert '"import_row":"2"' in payload.replace(" ", "")


def test_single_currency_needs_no_rates_and_mixed_bases_are_refused(warehouse, tmp_path, capsys):
    export = tmp_path / "usd.csv"
    export.write_text("Kunde;Datum;Betrag;Waehrung\nACME;01.03.2024;100.10;USD\n", encoding="utf-8")
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-03"]) == 0
    assert main(["run", "--quiet", "--no-record", "--var", "reporting_currency=USD"]) == 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        assert con.execute("select lifetime_revenue from marts.accounts").fetchone() == (Decimal("100.10"),)
    rates = warehouse.landing / "fx_rates"
    rates.mkdir()
    (rates / "rates.csv").write_text(
        "rate_date,base_currency,currency,rate\n2024-03-01,EUR,USD,1.08\n2024-03-01,USD,PLN,3.9\n"
    )
    capsys.readouterr()
    assert main(["run", "--quiet", "--no-record"]) == 1
    said = capsys.readouterr()
    # the cause, first and once; the stack traces only in the run's log file
    assert (
        "raw__fx_rates: fx_rates: rates of 2024-03-01 are quoted against several base currencies" in said.out
    )
    assert "Stack Trace" not in said.err + said.out
    assert "FxRatesError" not in said.err + said.out
    log = max(warehouse.logs.glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    assert "Stack Trace" in log.read_text(encoding="utf-8")


def test_conversion_is_exact_and_rounds_half_even(warehouse, tmp_path):
    # 0.0005 EUR -> 0.0001 PLN units: 1 x 0.5 / 1 = 0.00005 -> exactly half a unit of the 4th decimal
    export = tmp_path / "fx.csv"
    export.write_text(
        "Kunde;Datum;Betrag;Waehrung\nA;01.03.2024;0.0001;PLN\nB;01.03.2024;0.0003;PLN\n"
        "C;01.03.2024;12345678901.2345;PLN\n",
        encoding="utf-8",
    )
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-03"]) == 0
    rates = warehouse.landing / "fx_rates"
    rates.mkdir()
    (rates / "rates.csv").write_text("rate_date,base_currency,currency,rate\n2024-03-01,EUR,PLN,2.00000000\n")
    assert main(["run", "--quiet", "--no-record"]) == 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        revenue = dict(con.execute("select account_id, lifetime_revenue from marts.accounts").fetchall())
        kind = con.execute(
            "select typeof(amount_reporting) from intermediate.int_revenue_lines_converted"
        ).fetchone()
    # 0.00005 -> 0.0000 (half to even), 0.00015 -> 0.0002 (half to even), 6172839450.61725 -> ...0.6172
    assert revenue == {"A": Decimal("0.0000"), "B": Decimal("0.0002"), "C": Decimal("6172839450.6172")}
    assert kind[0].startswith("DECIMAL")


def test_a_bad_setting_fails_before_any_work(warehouse, tmp_path, capsys):
    export = tmp_path / "e.csv"
    export.write_text("Kunde;Datum;Betrag;Waehrung\nACME;01.03.2024;1;EUR\n", encoding="utf-8")
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-03"]) == 0
    capsys.readouterr()
    assert main(["run", "--var", "reporting_currency=EUR' or 1=1 --"]) == 2
    assert "setting reporting_currency: must be an ISO 4217 code" in capsys.readouterr().err
    assert not warehouse.database.exists()


def test_dagster_run_config_is_typed_and_validated_before_ingest(warehouse, tmp_path):
    """A UI run with a bad setting fails in its first step, before anything is loaded."""
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.ingest.triggers import LIFECYCLE_JOB, range_tags

    export = tmp_path / "e.csv"
    export.write_text("Kunde;Datum;Betrag;Waehrung\nACME;01.03.2024;1;EUR\n", encoding="utf-8")
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-03"]) == 0
    job = defs.resolve_job_def(LIFECYCLE_JOB)
    tags = range_tags(date(2024, 3, 3), date(2024, 3, 3))
    typed = {"resources": {"lifecycle_settings": {"config": {"lost_after_days": "365 days"}}}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        job.execute_in_process(run_config=typed, tags=tags)
    validated = {"resources": {"lifecycle_settings": {"config": {"reporting_timezone": "Mars/Base"}}}}
    result = job.execute_in_process(run_config=validated, tags=tags, raise_on_error=False)
    assert not result.success
    assert not result.get_asset_materialization_events()
    assert not warehouse.database.exists() or duckdb.connect(str(warehouse.database)).execute(
        "select count(*) from information_schema.tables where table_schema = 'raw'"
    ).fetchone() == (0,)
