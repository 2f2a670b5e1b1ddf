from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from pipelines.imports import csv_export as import_csv_module
from pipelines.imports.csv_export import (
    ExportFormat,
    ImportRejected,
    StatusRule,
    convert_rows,
    grouped,
    import_csv,
    landing_name,
    parse_amount,
    parse_mapping,
    parse_status_map,
    system_name,
)
from pipelines.imports.presets import PRESETS

MAPPING = parse_mapping(["Customer=account_id", "Date=occurred_at", "Total=amount", "Cur=currency"])


def row(
    customer: str = "A1", day: str = "2024-03-01", total: str = "100.50", cur: str = "eur"
) -> dict[str, str]:
    return {"Customer": customer, "Date": day, "Total": total, "Cur": cur}


def ids(rows: list[dict[str, str]], mapping: dict[str, str] = MAPPING) -> list[str | None]:
    return [e["event_id"] for e in convert_rows(rows, mapping, "export", None, None, "export.csv").events]


def test_each_row_is_an_order_and_an_invoice_and_identical_rows_stay_two_sales():
    events = convert_rows([row()] * 2, MAPPING, "export", None, None, "export.csv").events
    assert [e["event_type"] for e in events] == ["order_placed", "invoice_issued"] * 2
    assert len({e["event_id"] for e in events}) == 4
    assert events[0]["order_id"] != events[2]["order_id"]
    assert events[1]["amount"] == "100.50"
    assert events[1]["currency"] == "EUR"
    assert events[0]["occurred_at"] == "2024-03-01"
    assert (events[2]["import_file"], events[2]["import_row"]) == ("export.csv", "2")


def test_ids_do_not_depend_on_row_positions():
    """Tomorrow's export with a row inserted in the middle keeps every other sale's ids."""

    def ids_by_account(rows: list[dict[str, str]]) -> dict[str | None, list[str | None]]:
        events = convert_rows(rows, MAPPING, "export", None, None, "export.csv").events
        return {
            a: [e["event_id"] for e in events if e["account_id"] == a]
            for a in {e["account_id"] for e in events}
        }

    today = ids_by_account([row("A"), row("B"), row("C")])
    tomorrow = ids_by_account([row("A"), row("NEW"), row("B"), row("C")])
    for account in ("A", "B", "C"):
        assert tomorrow[account] == today[account], account
    assert not set(tomorrow["NEW"]) & {i for ids in today.values() for i in ids}


def test_a_mapped_order_id_is_the_business_key():
    mapping = parse_mapping(
        ["Customer=account_id", "Date=occurred_at", "Total=amount", "Cur=currency", "No=order_id"]
    )
    first = ids([{**row(), "No": "SO-1"}], mapping)
    changed_amount = ids([{**row(total="99"), "No": "SO-1"}], mapping)
    assert first == changed_amount == ["imp-export-SO-1-order", "imp-export-SO-1-invoice"]


def test_bad_values_are_kept_for_the_quarantine_and_reported_by_row_and_column():
    conversion = convert_rows(
        [row(), row(customer="", day="01.03.2024", total="5,-", cur="EURO")],
        MAPPING,
        "export",
        None,
        None,
        "e.csv",
    )
    text = "\n".join(conversion.problems)
    assert "e.csv: row 2, column 'Customer': empty" in text
    assert "row 2, column 'Date': not a date" in text
    assert "row 2, column 'Total': not a decimal number: '5,-'" in text
    assert "row 2, column 'Cur': not an ISO 4217 code: 'EURO'" in text
    assert "row 1" not in text
    bad = conversion.events[2]
    assert (bad["occurred_at"], bad["amount"], bad["currency"], bad["import_row"]) == (
        "01.03.2024",
        "5,-",
        "EURO",
        "2",
    )


def test_date_format_and_default_currency():
    mapping = parse_mapping(["c=account_id", "d=occurred_at", "t=amount"])
    events = convert_rows(
        [{"c": "A", "d": "31.12.2024", "t": "5"}], mapping, "x", "PLN", "%d.%m.%Y", "x.csv"
    ).events
    assert events[0]["occurred_at"] == "2024-12-31"
    assert events[0]["currency"] == "PLN"
    problems = convert_rows(
        [{"c": "A", "d": "31.12.2024", "t": "5"}], mapping, "x", None, "%d.%m.%Y", "x.csv"
    ).problems
    assert problems == ["x.csv: row 1, column 'currency': empty, and no --currency default given"]


def test_the_system_must_be_a_safe_name_and_the_landing_file_is_named_by_the_export():
    assert system_name(None) is None
    assert landing_name(Path("CRM Export 2024.csv"), None) == "import-crm-export-2024.csv"
    assert landing_name(Path("orders.csv"), "erp") == "import-erp-orders.csv"
    for bad in ("../x", "a/b", "", "x" * 65, "Upper"):
        with pytest.raises(ValueError, match="--system"):
            system_name(bad)


def test_numbers_as_exports_write_them_and_never_a_comma_read_as_a_thousands_separator():
    for text, comma, value in [
        ("1.067,42", True, "1067.42"),
        ("1 067,42", True, "1067.42"),
        ("1\u00a0067,42", True, "1067.42"),
        ("1'067.42", False, "1067.42"),
        ("1,067.42", False, "1067.42"),
        ("351,86", True, "351.86"),
        ("-1.067,42", True, "-1067.42"),
        ("1067.42", False, "1067.42"),
    ]:
        assert str(parse_amount(text, comma)) == value, text
    for text, comma in [
        ("351,86", False),
        ("1,06.4", False),
        ("1.067,42", False),
        ("12.5", True),
        ("1e5", False),
    ]:
        with pytest.raises(ArithmeticError):
            parse_amount(text, comma)
    # the importer's message says which flag was missing
    [problem] = convert_rows([row(total="351,86")], MAPPING, None, None, None, "e.csv").problems
    assert problem == "e.csv: row 1, column 'Total': not a decimal number (--decimal-comma?): '351,86'"


ORDERS = parse_mapping(
    ["Customer=account_id", "Date=occurred_at", "Total=amount", "Cur=currency", "No=order_id"]
)


def test_a_negative_amount_is_a_credit_note_against_its_order_and_reject_refuses_it():
    rows = [{**row(total="100,00"), "No": "SO-1"}, {**row(total="-40,00"), "No": "SO-1"}]
    fmt = ExportFormat(decimal_comma=True)
    events = convert_rows(rows, ORDERS, None, None, None, "e.csv", fmt).events
    assert [(e["event_id"], e["event_type"], e["invoice_id"], e["amount"]) for e in events] == [
        ("imp-SO-1-order", "order_placed", None, "100.00"),
        ("imp-SO-1-invoice", "invoice_issued", "INV-SO-1", "100.00"),
        ("imp-SO-1-credit", "credit_note_issued", "INV-SO-1", "40.00"),
    ]
    refused = convert_rows(
        rows, ORDERS, None, None, None, "e.csv", ExportFormat(decimal_comma=True, negative="reject")
    )
    assert refused.problems == ["e.csv: row 2, column 'Total': not a decimal number >= 0: '-40,00'"]


def test_ids_come_from_the_order_not_the_file_name_nor_the_row_order():
    rows = [
        {**row(customer=c, total=t), "No": n}
        for c, t, n in [("A", "1", "S1"), ("B", "2", "S2"), ("A", "3", "S3")]
    ]
    # an order with two lines of one kind: each line is told apart by its content, not its position
    rows += [{**row(customer="C", total="4"), "No": "S4"}, {**row(customer="C", total="5"), "No": "S4"}]

    def by_row(rows: list[dict[str, str]], label: str) -> set[tuple[str | None, str | None]]:
        events = convert_rows(rows, ORDERS, None, None, None, label).events
        return {(e["event_id"], e["amount"]) for e in events}

    assert by_row(rows, "day1.csv") == by_row(list(reversed(rows)), "day2.csv")
    assert {i for i, _ in by_row(rows, "x.csv")} >= {"imp-S1-order", "imp-S3-invoice"}


def test_problems_are_grouped_by_column_and_reason_with_the_first_row():
    conversion = convert_rows(
        [row(total="x"), row(), row(total="y"), row(cur="EURO")], MAPPING, None, None, None, "e.csv"
    )
    assert [(c, r, n, first.row, first.value) for c, r, n, first in grouped(conversion.found)] == [
        ("Total", "not a decimal number", 2, 1, "x"),
        ("Cur", "not an ISO 4217 code", 1, 4, "EURO"),
    ]


def test_a_file_without_a_usable_row_is_refused(tmp_path):
    export = tmp_path / "e.csv"
    export.write_text(HEADER + "A1,2024-03-01,10;5,EUR\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="none of its 1 row"):
        run_import(export, tmp_path / "landing")
    assert not list((tmp_path / "landing").rglob("*.csv"))


def test_an_export_in_another_encoding(tmp_path):
    export = tmp_path / "e.csv"
    export.write_bytes((HEADER + "M\xfcller,2024-03-02,20,EUR\n").encode("cp1252"))
    result = run_import(export, tmp_path / "landing", fmt=ExportFormat(encoding="cp1252"))
    written = pacsv.read_csv(result.path)
    assert written.column("account_id").to_pylist() == ["M\xfcller", "M\xfcller"]


def test_mapping_must_cover_required_fields():
    with pytest.raises(ValueError, match="occurred_at, amount"):
        parse_mapping(["c=account_id"])
    with pytest.raises(ValueError, match="not importable"):
        parse_mapping(["c=account_id", "x=event_type"])


HEADER = "Customer,Date,Total,Cur\n"


def run_import(export: Path, landing: Path, **kwargs):
    return import_csv(export, landing, MAPPING, date(2024, 8, 12), **kwargs)


def test_another_export_with_the_same_source_id_is_refused_never_overwritten(tmp_path):
    # a/export.csv and b/export.csv map to the same landing file; the second replaced the first
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "export.csv").write_text(HEADER + "A1,2024-03-01,10,EUR\n", encoding="utf-8")
    (tmp_path / "b" / "export.csv").write_text(HEADER + "B1,2024-03-02,20,EUR\n", encoding="utf-8")
    (tmp_path / "EXPORT.csv").write_text(HEADER + "C1,2024-03-03,30,EUR\n", encoding="utf-8")
    landing = tmp_path / "landing"
    first = run_import(tmp_path / "a" / "export.csv", landing)
    kept = first.path.read_bytes()
    for other in (tmp_path / "b" / "export.csv", tmp_path / "EXPORT.csv"):
        with pytest.raises(ImportRejected, match="already holds a different version of this export"):
            run_import(other, landing)
    assert first.path.read_bytes() == kept
    assert [p.name for p in landing.rglob("*") if p.is_file()] == ["import-export.csv"]
    # the same export again is the same landing file: accepted, nothing changes
    assert run_import(tmp_path / "a" / "export.csv", landing).path.read_bytes() == kept
    # under a system's name it lands beside the first
    assert run_import(tmp_path / "EXPORT.csv", landing, system="crm").path.name == "import-crm-export.csv"


def test_bytes_that_are_not_utf8_are_reported_by_line(tmp_path):
    export = tmp_path / "mixed.csv"
    export.write_bytes((HEADER + "A1,2024-03-01,10,EUR\nM\xfcller,2024-03-02,20,EUR\n").encode("latin-1"))
    with pytest.raises(ImportRejected, match=r"mixed.csv: line 3, byte 2 of that line: not utf-8"):
        run_import(export, tmp_path / "landing")
    assert not list((tmp_path / "landing").rglob("*"))


def test_a_long_export_is_written_in_batches_with_ids_unique_across_them(tmp_path, monkeypatch):
    monkeypatch.setattr(import_csv_module, "WRITE_BATCH_EVENTS", 4)
    rows = [row(f"A{i % 3}") for i in range(11)]  # identical rows repeat across batches
    export = tmp_path / "e.csv"
    export.write_text(HEADER + "".join(",".join(r.values()) + "\n" for r in rows), encoding="utf-8")
    result = run_import(export, tmp_path / "landing")
    written = pacsv.read_csv(result.path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    expected = convert_rows(rows, MAPPING, None, None, None, "e.csv").events
    assert (result.rows, result.events) == (11, 22)
    assert written.column("event_id").to_pylist() == [e["event_id"] for e in expected]
    assert len(set(written.column("event_id").to_pylist())) == 22


STATUS = StatusRule(
    "State", {"paid": "paid", "open": "pending", "void": "cancelled", "refunded": "refunded", "": "skip"}
)


def test_a_status_column_says_which_sales_are_revenue():
    rows = [
        {**row(total="10"), "No": "S1", "State": "Paid"},
        {**row(total="20"), "No": "S2", "State": "open"},
        {**row(total="30"), "No": "S3", "State": "void"},
        {**row(total="40"), "No": "S4", "State": "refunded"},
        {**row(total=""), "No": "S4", "State": ""},  # a further line item of S4: skipped, not a problem
        {**row(total="50"), "No": "S5", "State": "disputed"},
    ]
    conversion = convert_rows(rows, ORDERS, None, None, None, "e.csv", status=STATUS)
    assert [(e["event_id"], e["event_type"], e["amount"]) for e in conversion.events] == [
        ("imp-S1-order", "order_placed", "10"),
        ("imp-S1-invoice", "invoice_issued", "10"),
        ("imp-S2-order", "order_placed", "20"),
        ("imp-S3-order", "order_placed", "30"),
        ("imp-S3-cancel", "order_cancelled", None),
        ("imp-S4-order", "order_placed", "40"),
        ("imp-S4-invoice", "invoice_issued", "40"),
        ("imp-S4-credit", "credit_note_issued", "40"),
    ]
    assert conversion.events[-1]["invoice_id"] == "INV-S4"
    assert conversion.problems == [
        "e.csv: row 6, column 'State': a status --status-map does not name: 'disputed'"
    ]
    with pytest.raises(ValueError, match="--status-map effects of a sales export must be one of"):
        StatusRule("State", {"paid": "booked"})
    assert parse_status_map(["Paid=paid", "=skip", "a=b=refunded"]) == {
        "paid": "paid",
        "": "skip",
        "a=b": "refunded",
    }


def test_a_preset_is_defaults_that_each_flag_overrides_and_can_be_printed(tmp_path, capsys):
    from pipelines.cli import main

    assert main(["import-csv", "--show-preset", "shopify-orders"]) == 0
    shown = capsys.readouterr().out
    assert "'--map=Created at=occurred_at'" in shown
    assert "--status-map=voided=cancelled" in shown
    export = tmp_path / "orders_export.csv"
    export.write_text(
        "Name,Email,Financial Status,Total,Currency,Discount Amount,Created at,Customer Company\n"
        "#1001,a@x.com,paid,12.50,EUR,0.00,2024-03-01 10:00:00 +0100,Acme\n"
        "#1001,a@x.com,,,,,2024-03-01 10:00:00 +0100,Acme\n",
        encoding="utf-8",
    )
    landing = tmp_path / "wh"
    flags = ["import-csv", str(export), "--preset", "shopify-orders", "--warehouse", str(landing)]
    assert main([*flags, "--map", "Customer Company=account_id", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would import 2 row(s) as 2 events (dry run: nothing written" in out
    assert "'account_id': 'Acme'" in out
    assert "'occurred_at': '2024-03-01T09:00:00Z'" in out
    assert "rows by status effect (Financial Status): paid 1, skip 1" in out
    assert not list(landing.rglob("*.csv"))
    assert main(flags) == 0
    [written] = landing.rglob("*.csv")
    assert pacsv.read_csv(written).column("account_id").to_pylist() == ["a@x.com", "a@x.com"]


def test_an_xlsx_workbook_reads_as_its_csv_would(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Orders")
    sheet.append(["Customer", "Date", "Total", "Cur"])
    sheet.append(["A1", datetime(2024, 3, 1), 1067.42, "EUR"])
    sheet.append([None, None, None, None])  # an empty row, as spreadsheets have
    sheet.append(["B2", datetime(2024, 3, 2), -12.5, "EUR"])
    export = tmp_path / "orders.xlsx"
    book.save(export)
    landing = tmp_path / "landing"
    with pytest.raises(ValueError, match="no sheet 'Sales'; it has Notes, Orders"):
        run_import(export, landing, fmt=ExportFormat(sheet="Sales"))
    for fmt in (
        ExportFormat(sheet="Orders"),
        ExportFormat(sheet="Orders", decimal_comma=True, date_format="%d.%m.%Y"),
    ):
        result = run_import(export, landing, fmt=fmt)
        text = {c: pa.string() for c in ("event_type", "occurred_at", "amount")}
        written = pacsv.read_csv(result.path, convert_options=pacsv.ConvertOptions(column_types=text))
        events = written.select(list(text)).to_pylist()
        assert [tuple(e.values()) for e in events] == [
            ("order_placed", "2024-03-01", "1067.42"),
            ("invoice_issued", "2024-03-01", "1067.42"),
            ("credit_note_issued", "2024-03-02", "12.5"),
        ]
        result.path.unlink()
    (tmp_path / "fake.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"fake\.xlsx: not an \.xlsx workbook"):
        run_import(tmp_path / "fake.xlsx", landing)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_a_presets_printed_flags_are_the_preset(name):
    """What --show-preset prints, given as flags without the preset, means what the preset means."""
    from pipelines.cli import build_parser
    from pipelines.cli.import_csv import _options

    parser = build_parser()
    with_preset = _options(parser.parse_args(["import-csv", "export.csv", "--preset", name]))
    by_hand = _options(parser.parse_args(["import-csv", "export.csv", *PRESETS[name].as_flags()]))
    assert by_hand.pop("optional") == frozenset()  # columns given by hand must be there
    assert with_preset.pop("optional") <= set(with_preset["mapping"])
    assert by_hand == with_preset
