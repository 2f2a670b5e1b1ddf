from pathlib import Path

import pytest

from pipelines.contract import STREAMS, stream
from pipelines.contract.currencies import ISO_4217

DOCS = (Path(__file__).parents[2] / "docs" / "events.md").read_text()


def test_streams_and_types_match_the_spec():
    assert set(STREAMS) == {"sales", "service", "contact"}
    assert stream("sales").event_types == (
        "order_placed",
        "order_cancelled",
        "invoice_issued",
        "credit_note_issued",
        "payment_received",
    )
    assert stream("service").field("csat_score").maximum == 5
    assert stream("sales").required_fields("order_cancelled") == (
        "event_id",
        "event_type",
        "occurred_at",
        "account_id",
        "order_id",
    )
    assert "amount" in stream("sales").required_fields("credit_note_issued")


def test_unknown_stream_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown stream 'billing'"):
        stream("billing")


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_docs_describe_every_field_and_event_type(name):
    schema = stream(name)
    for field in schema.field_names:
        assert f"`{field}`" in DOCS, f"docs/events.md does not describe {name}.{field}"
    for event_type in schema.event_types:
        assert f"`{event_type}`" in DOCS, f"docs/events.md does not list {name} type {event_type}"


def test_currency_list_holds_the_simulated_currencies():
    assert {"EUR", "PLN", "USD", "GBP"} <= set(ISO_4217)
    assert "EURO" not in ISO_4217
    assert len(ISO_4217) == len(set(ISO_4217))


def test_docs_page_is_the_generated_one():
    from pipelines.imports.events_page import render

    assert render() == DOCS, "docs/events.md is stale: run python -m pipelines.imports.events_page"
