import pytest

from pipelines.raw.import_csv import ImportRejected, convert_rows, parse_mapping

MAPPING = parse_mapping(["Customer=account_id", "Date=occurred_at", "Total=amount", "Cur=currency"])


def test_each_row_is_an_order_and_an_invoice_and_identical_rows_stay_two_sales():
    rows = [{"Customer": "A1", "Date": "2024-03-01", "Total": "100.50", "Cur": "eur"}] * 2
    events = convert_rows(rows, MAPPING, "export", None, None, "export.csv")
    assert [e["event_type"] for e in events] == ["order_placed", "invoice_issued"] * 2
    assert len({e["event_id"] for e in events}) == 4
    assert events[0]["order_id"] != events[2]["order_id"]
    assert events[1]["amount"] == "100.50"
    assert events[1]["currency"] == "EUR"
    assert events[0]["occurred_at"] == "2024-03-01"


def test_ids_are_deterministic_from_source_and_row():
    rows = [{"Customer": "A1", "Date": "2024-03-01", "Total": "1", "Cur": "PLN"}]
    first = convert_rows(rows, MAPPING, "export", None, None, "export.csv")
    again = convert_rows(rows, MAPPING, "export", None, None, "export.csv")
    assert (
        [e["event_id"] for e in first]
        == [e["event_id"] for e in again]
        == ["imp-export-0000001-order", "imp-export-0000001-invoice"]
    )


def test_errors_name_row_and_column_and_nothing_is_converted():
    rows = [
        {"Customer": "A1", "Date": "2024-03-01", "Total": "10", "Cur": "EUR"},
        {"Customer": "", "Date": "01.03.2024", "Total": "-5", "Cur": "EURO"},
    ]
    with pytest.raises(ImportRejected) as info:
        convert_rows(rows, MAPPING, "export", None, None, "export.csv")
    text = str(info.value)
    assert "export.csv: row 2, column 'Customer': empty" in text
    assert "row 2, column 'Date': not a date" in text
    assert "row 2, column 'Total': not a decimal number >= 0: '-5'" in text
    assert "row 2, column 'Cur': not an ISO 4217 code: 'EURO'" in text
    assert "row 1" not in text


def test_date_format_and_default_currency():
    mapping = parse_mapping(["c=account_id", "d=occurred_at", "t=amount"])
    events = convert_rows([{"c": "A", "d": "31.12.2024", "t": "5"}], mapping, "x", "PLN", "%d.%m.%Y", "x.csv")
    assert events[0]["occurred_at"] == "2024-12-31"
    assert events[0]["currency"] == "PLN"
    with pytest.raises(ImportRejected, match="no --currency default"):
        convert_rows([{"c": "A", "d": "31.12.2024", "t": "5"}], mapping, "x", None, "%d.%m.%Y", "x.csv")


def test_mapping_must_cover_required_fields():
    with pytest.raises(ValueError, match="occurred_at, amount"):
        parse_mapping(["c=account_id"])
    with pytest.raises(ValueError, match="not importable"):
        parse_mapping(["c=account_id", "x=event_type"])
