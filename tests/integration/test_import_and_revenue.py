"""A customer's own export: import-csv -> landing -> run, with FX conversion and its failure mode."""

import duckdb

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
    assert main(["run", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "Missing FX rate" in out
    assert "PLN on 2024-03-02" in out

    (rates / "rates.csv").write_text(
        "rate_date,base_currency,currency,rate\n2024-03-01,EUR,PLN,4.30\n2024-03-02,EUR,PLN,4.30\n"
    )
    # the same export delivered again on a later day: ids repeat, so nothing is counted twice
    assert main([*IMPORT, str(export), "--arrival-date", "2024-03-05"]) == 0
    assert main(["run", "--quiet"]) == 0
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


def test_import_errors_name_row_and_column_and_write_nothing(warehouse, tmp_path, capsys):
    export = tmp_path / "bad.csv"
    export.write_text("Kunde;Datum;Betrag;Waehrung\nACME;2024-03-01;12,5;EUR\n", encoding="utf-8")
    assert main([*IMPORT, str(export)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv: row 1, column 'Datum': not a date in format %d.%m.%Y" in err
    assert "row 1, column 'Betrag': not a decimal number >= 0: '12,5'" in err
    assert not (warehouse.landing / "sales").exists()
