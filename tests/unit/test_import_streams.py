"""Ticket (service) and activity (contact) exports -> events: what each row becomes, and ids that do not
depend on the file or the row's position."""

import pytest

from pipelines.errors import ConfigError
from pipelines.imports.mapping import StatusRule, parse_mapping, parse_value_map
from pipelines.imports.rows import ExportFormat
from pipelines.imports.service_contact import ActivityConverter, TicketConverter

FMT = ExportFormat()
TICKETS = parse_mapping(
    [
        "id=ticket_id",
        "org=account_id",
        "created=occurred_at",
        "solved=resolved_at",
        "type=category",
        "score=csat_score",
    ],
    stream="service",
)


def ticket(tid="T1", org="Acme", created="2024-03-01", solved="", kind="question", score=""):
    return {"id": tid, "org": org, "created": created, "solved": solved, "type": kind, "score": score}


def convert(converter, rows):
    return [e for n, row in enumerate(rows, start=1) for e in converter.events(row, n)]


def test_a_ticket_row_is_opened_then_resolved_and_rated_when_those_columns_are_filled():
    with pytest.raises(ConfigError, match="--value-map field 'score'"):
        parse_value_map(["score:good=5"])  # the contract field, not the export's column
    values = parse_value_map(["csat_score:good=5", "csat_score:offered=", "category:problem=complaint"])
    converter = TicketConverter(TICKETS, None, FMT, "t.csv", values=values)
    events = convert(
        converter,
        [
            ticket("T1", solved="2024-03-02T10:00:00+02:00", kind="Problem", score="Good"),
            ticket("T2", kind="question", score="Offered"),
        ],
    )
    assert [(e["event_id"], e["event_type"], e["occurred_at"]) for e in events] == [
        ("imp-T1-opened", "ticket_opened", "2024-03-01"),
        ("imp-T1-resolved-2024-03-02T08:00:00Z", "ticket_resolved", "2024-03-02T08:00:00Z"),
        ("imp-T1-rated", "satisfaction_rated", "2024-03-02T08:00:00Z"),  # rated when resolved
        ("imp-T2-opened", "ticket_opened", "2024-03-01"),  # offered, not answered: no rating
    ]
    assert events[0]["category"] == "complaint"
    assert events[2]["csat_score"] == "5"
    assert converter.found == []


def test_ticket_ids_are_the_ticket_and_the_change_so_tomorrows_export_delivers_the_same_events():
    today = convert(TicketConverter(TICKETS, "desk", FMT, "a.csv"), [ticket("T1"), ticket("T2")])
    tomorrow = convert(
        TicketConverter(TICKETS, "desk", FMT, "b.csv"),
        [ticket("T0"), ticket("T2", solved="2024-03-05"), ticket("T1")],
    )
    assert {e["event_id"] for e in today} < {e["event_id"] for e in tomorrow}
    assert "imp-desk-T2-resolved-2024-03-05" in {e["event_id"] for e in tomorrow}


def test_a_status_history_export_is_one_change_per_row():
    mapping = parse_mapping(
        ["id=ticket_id", "org=account_id", "at=occurred_at", "score=csat_score"], stream="service"
    )
    status = StatusRule(
        "status",
        {"new": "opened", "solved": "resolved", "reopened": "reopened", "rated": "rated", "pending": "skip"},
        "service",
    )
    rows = [
        {"id": "T1", "org": "A", "at": "2024-03-01", "status": "New", "score": ""},
        {"id": "T1", "org": "A", "at": "2024-03-02", "status": "pending", "score": ""},
        {"id": "T1", "org": "A", "at": "2024-03-03", "status": "solved", "score": ""},
        {"id": "T1", "org": "A", "at": "2024-03-04", "status": "reopened", "score": ""},
        {"id": "T1", "org": "A", "at": "2024-03-05", "status": "solved", "score": ""},
        {"id": "T1", "org": "A", "at": "2024-03-06", "status": "rated", "score": "4"},
        {"id": "T1", "org": "A", "at": "2024-03-07", "status": "escalated", "score": ""},
    ]
    converter = TicketConverter(mapping, None, FMT, "h.csv", status)
    events = convert(converter, rows)
    assert [e["event_type"] for e in events] == [
        "ticket_opened",
        "ticket_resolved",
        "ticket_reopened",
        "ticket_resolved",
        "satisfaction_rated",
    ]
    assert len({e["event_id"] for e in events}) == 5  # solved twice: two resolutions
    [problem] = converter.found
    assert (problem.row, problem.column, problem.value) == (7, "status", "escalated")
    with pytest.raises(ConfigError, match="effects of a service export must be one of opened"):
        StatusRule("status", {"new": "paid"}, "service")


def test_values_the_contract_does_not_know_are_problems_of_their_row_and_column():
    converter = TicketConverter(TICKETS, None, FMT, "t.csv")
    convert(converter, [ticket(kind="billing", score="7"), ticket("T2", org="")])
    found = {(p.row, p.column, p.value): p.reason for p in converter.found}
    assert sorted(found) == [(1, "score", "7"), (1, "type", "billing"), (2, "org", None)]
    assert "--value-map category:VALUE" in found[(1, "type", "billing")]
    assert converter.bad_rows == 2


ACTIVITIES = parse_mapping(["company=account_id", "when=occurred_at", "dir=direction"], stream="contact")


def test_an_activity_row_is_one_contact_event_of_its_type():
    status = StatusRule("type", {"call": "call", "note": "skip"}, "contact")
    converter = ActivityConverter(ACTIVITIES, None, FMT, "a.csv", status)
    rows = [
        {"company": "A", "when": "2024-03-01", "dir": "OUTBOUND", "type": "Call"},
        {"company": "A", "when": "2024-03-01", "dir": "OUTBOUND", "type": "Call"},  # the same, again
        {"company": "A", "when": "2024-03-02", "dir": "", "type": "Note"},
    ]
    events = convert(converter, rows)
    assert [(e["event_type"], e["direction"]) for e in events] == [("call", "outbound"), ("call", "outbound")]
    assert events[0]["event_id"] != events[1]["event_id"]  # two identical rows stay two calls
    fixed = ActivityConverter(ACTIVITIES, None, FMT, "a.csv", event_type="meeting")
    assert convert(fixed, rows[:1])[0]["event_type"] == "meeting"


def test_an_activity_export_must_say_what_its_rows_are():
    with pytest.raises(ConfigError, match="--event-type TYPE for the whole file"):
        ActivityConverter(ACTIVITIES, None, FMT, "a.csv")
    with pytest.raises(ConfigError, match="--event-type must be one of"):
        ActivityConverter(ACTIVITIES, None, FMT, "a.csv", event_type="fax")
    with pytest.raises(ConfigError, match="not importable into contact"):
        parse_mapping(["x=amount"], stream="contact")


ACCOUNTS = parse_mapping(
    ["id=account_id", "modified=occurred_at", "name=account_name", "seg=segment", "staff=employees"],
    stream="contact",
)


def test_a_crm_account_export_row_is_one_account_update_whose_id_is_its_state():
    converter = ActivityConverter(ACCOUNTS, "crm", FMT, "companies.csv", event_type="account_updated")
    acme = {"id": "A", "modified": "2024-03-01", "name": "Acme", "seg": "enterprise", "staff": "1,200"}
    globex = {"id": "G", "modified": "2024-03-02", "name": "Globex", "seg": "", "staff": ""}
    first = convert(converter, [acme, globex])
    assert [(e["event_type"], e["account_id"], e["segment"], e["employees"]) for e in first] == [
        ("account_updated", "A", "enterprise", "1200"),
        ("account_updated", "G", None, None),  # an empty cell sets nothing
    ]
    assert first[0]["contact_person_id"] is None
    assert first[0]["account_name"] == "Acme"
    # tomorrow's export: Acme unchanged is the same event again, Globex changed is a new one
    again = ActivityConverter(ACCOUNTS, "crm", FMT, "companies-2.csv", event_type="account_updated")
    second = convert(again, [acme, globex | {"modified": "2024-04-01", "seg": "smb"}])
    assert second[0]["event_id"] == first[0]["event_id"]
    assert second[1]["event_id"] != first[1]["event_id"]
    bad = ActivityConverter(ACCOUNTS, "crm", FMT, "companies.csv", event_type="account_updated")
    convert(bad, [acme | {"staff": "about 50"}])
    assert [(p.column, p.reason, p.value) for p in bad.found] == [
        ("staff", "not a whole number >= 0", "about 50")
    ]
