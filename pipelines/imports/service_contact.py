"""Help-desk and CRM exports -> service and contact events (`lifecycle import-csv --stream service|contact`).

A ticket export has one row per ticket, as help desks export them: the ticket is opened at `occurred_at`,
resolved at `resolved_at` and reopened at `reopened_at` when those columns are filled, and rated when it
carries a satisfaction score. With a status column, a row is instead one change of its ticket (a status
history export): the map says which change (opened, resolved, reopened, rated), at `occurred_at`.

An activity export has one row per activity; its type comes from a type column (`--status-column` with
`--status-map VALUE=call|email|meeting|visit|lead_created|skip`) or is one for the whole file
(`--event-type`). A CRM's account (company) export is read with `--event-type account_updated`: each row
sets the attributes it maps (account_name, segment, industry, region, country, employees, owner_rep_id;
an empty cell leaves the attribute as it was) from occurred_at on, the record's last-modified time.

Ids come from the business key, as for sales: the ticket and the change (a resolution or a reopening also
by its time, so a ticket resolved twice is two resolutions, and tomorrow's export of the same ticket
delivers the same events again); an activity by its id column, else a hash of its mapped values; an
account update always by that hash (the record id names the account, not its state: tomorrow's export
delivers an unchanged account again as the same event, a changed one as a new event).
"""

from __future__ import annotations

from collections import Counter

from pipelines.contract import ACCOUNT_ATTRIBUTES
from pipelines.contract import stream as contract_stream
from pipelines.errors import ConfigError
from pipelines.imports.mapping import StatusRule
from pipelines.imports.rows import ExportFormat, Problem, RowReader, row_hash

Event = dict[str, str | None]


class StreamConverter:
    """Export rows -> one stream's events, one row at a time, with the problems of each row."""

    stream = ""

    def __init__(
        self,
        mapping: dict[str, str],
        system: str | None,
        fmt: ExportFormat,
        file_label: str,
        status: StatusRule | None = None,
        values: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.mapping, self.system, self.fmt, self.file_label = mapping, system, fmt, file_label
        self.status, self.values = status, values or {}
        self.fields = contract_stream(self.stream).all_fields
        self.found: list[Problem] = []
        self.bad_rows = self.credits = 0
        self.effects: Counter[str] = Counter()

    def _id(self, *parts: str) -> str:
        return "imp-" + "-".join([p for p in (self.system,) if p] + list(parts))

    def _effect(self, row: dict[str, str], row_no: int) -> str | None:
        """The status column's effect ("" without a status column); None: the row is not written."""
        if self.status is None:
            return ""
        found = self.status.effect(row)
        if found is None:
            value = (row.get(self.status.column) or "").strip()
            what = "a type" if self.stream == "contact" else "a status"
            self.found.append(
                Problem(
                    self.file_label, row_no, self.status.column, f"{what} --status-map does not name", value
                )
            )
            self.bad_rows += 1
            return None
        self.effects[found] += 1
        return None if found == "skip" else found

    def _coded(self, r: RowReader, name: str) -> str | None:
        """A coded value, translated by --value-map, checked against the contract's values."""
        raw = r.text(name)
        value = self.values.get(name, {}).get(raw.lower(), raw.lower())
        if not value:
            return None
        spec = next(f for f in self.fields if f.name == name)
        if spec.allowed and value not in spec.allowed:
            r.problem(
                name,
                f"not one of {', '.join(spec.allowed)} (translate it with --value-map {name}:VALUE=...)",
                raw,
            )
            return raw
        return value

    def _event(self, r: RowReader, event_id: str, event_type: str, when: str | None) -> Event:
        event: Event = {f.name: None for f in self.fields}
        event.update(
            event_id=event_id,
            event_type=event_type,
            occurred_at=when,
            account_id=r.text("account_id") or None,
            import_file=self.file_label,
            import_row=str(r.row_no),
        )
        return event

    def _finish(self, r: RowReader, events: list[Event]) -> list[Event]:
        if not r.text("account_id"):
            r.problem("account_id", "empty")
        self.found += r.found
        self.bad_rows += bool(r.found)
        return events

    def events(self, row: dict[str, str], row_no: int) -> list[Event]:
        raise NotImplementedError


class TicketConverter(StreamConverter):
    stream = "service"

    def events(self, row: dict[str, str], row_no: int) -> list[Event]:
        effect = self._effect(row, row_no)
        if effect is None:
            return []
        r = RowReader(row, row_no, self.mapping, self.file_label, self.fmt)
        ticket = r.text("ticket_id")
        if not ticket:
            r.problem("ticket_id", "empty")
        when = r.when()
        score = self._score(r)

        def change(kind: str, event_type: str, at: str | None, timed: bool) -> Event:
            # a resolution or reopening is also named by its time: a ticket can have several
            key = [ticket, kind, at or ""] if timed else [ticket, kind]
            event = self._event(r, self._id(*key), event_type, at)
            event.update(ticket_id=ticket or None, agent_id=r.text("agent_id") or None)
            return event

        def opened() -> Event:
            event = change("opened", "ticket_opened", when, timed=False)
            event.update(category=self._coded(r, "category"), severity=self._coded(r, "severity"))
            return event

        def rated(at: str | None) -> Event:
            event = change("rated", "satisfaction_rated", at, timed=False)
            event["csat_score"] = score
            return event

        if effect:  # one change of the ticket, at occurred_at
            if effect == "rated" and score is None:
                r.problem("csat_score", "empty on a row whose status says it is a rating")
            if effect in ("resolved", "reopened"):
                return self._finish(r, [change(effect, f"ticket_{effect}", when, timed=True)])
            return self._finish(r, [opened() if effect == "opened" else rated(when)])
        events = [opened()]
        resolved = r.when("resolved_at", required=False)
        if resolved is not None:
            events.append(change("resolved", "ticket_resolved", resolved, timed=True))
        reopened = r.when("reopened_at", required=False)
        if reopened is not None:
            events.append(change("reopened", "ticket_reopened", reopened, timed=True))
        if score is not None:
            events.append(rated(r.when("rated_at", required=False) or resolved or when))
        return self._finish(r, events)

    def _score(self, r: RowReader) -> str | None:
        raw = r.text("csat_score")
        value = self.values.get("csat_score", {}).get(raw.lower(), raw)
        if not value:
            return None
        if not (value.isdigit() and 1 <= int(value) <= 5):
            r.problem(
                "csat_score",
                "not a whole number 1..5 (translate it with --value-map csat_score:VALUE=N)",
                raw,
            )
            return raw
        return str(int(value))


class ActivityConverter(StreamConverter):
    stream = "contact"

    def __init__(self, *args: object, event_type: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        types = contract_stream("contact").event_types
        if event_type is not None and event_type not in types:
            raise ConfigError(f"--event-type must be one of {', '.join(types)}, got {event_type!r}")
        if (event_type is None) == (self.status is None):
            raise ConfigError(
                "a contact export needs what each row is: --event-type TYPE for the whole file, or "
                "--status-column COL with --status-map VALUE=TYPE (types: " + ", ".join(types) + ")"
            )
        self.event_type = event_type
        self.seen: Counter[str] = Counter()

    def events(self, row: dict[str, str], row_no: int) -> list[Event]:
        effect = self._effect(row, row_no)
        if effect is None:
            return []
        r = RowReader(row, row_no, self.mapping, self.file_label, self.fmt)
        event_type = effect or self.event_type or ""
        if event_type == "account_updated":
            return self._finish(r, [self._account_update(r)])
        key = r.text("activity_id") or row_hash(r)
        self.seen[key] += 1
        if self.seen[key] > 1:  # identical rows without an id stay as many activities
            key = f"{key}#{self.seen[key]}"
        event = self._event(r, self._id(key), event_type, r.when())
        event.update(
            contact_person_id=r.text("contact_person_id") or None,
            rep_id=r.text("rep_id") or None,
            direction=self._coded(r, "direction"),
        )
        return self._finish(r, [event])

    def _account_update(self, r: RowReader) -> Event:
        """One account's attributes as of the row's time; identical rows are one update."""
        event = self._event(r, self._id("account", row_hash(r)), "account_updated", r.when())
        event.update({name: r.text(name) or None for name in ACCOUNT_ATTRIBUTES})
        employees = event["employees"]
        if employees is not None:
            digits = employees.replace(",", "").replace(" ", "")
            if digits.isdigit():
                event["employees"] = str(int(digits))
            else:
                r.problem("employees", "not a whole number >= 0", employees)
        return event
