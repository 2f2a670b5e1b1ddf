"""Generate docs/events.md from the contract: `python -m pipelines.imports.events_page [OUT]`."""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.contract.streams import ENVELOPE_FIELDS, STREAMS, FieldSpec
from pipelines.simulator.params import EXTRA_COLUMN, FAULT_RATES, FAULT_STREAMS

KINDS = {
    "string": "text",
    "enum": "one of the listed values",
    "timestamp": "ISO-8601 timestamp with offset, or a date",
    "decimal": "decimal >= 0, '.' as separator, at most 4 decimals",
    "int": "whole number",
    "currency": "ISO 4217 code (upper case)",
}

HEADER = """# Event files: how to produce data this pipeline accepts

This page is for a data engineer who exports events from a CRM, ERP or ticketing system. It is generated
from the contract in `pipelines/contract/streams.py` (the same code validates every file), so it cannot
drift from what the ingester checks. Regenerate it with `python -m pipelines.imports.events_page`.

## Where files go

```
<warehouse>/landing/<stream>/<YYYY-MM-DD>/<any-name>.<parquet|jsonl|csv>
```

- `<warehouse>` is `$LIFECYCLE_WAREHOUSE` (default `./warehouse`); `<stream>` is `sales`, `service` or `contact`.
- The date folder is the **arrival day** (the batch you deliver), not the event day. An event that happened
  on Monday and reaches you on Thursday goes into Thursday's folder; the pipeline keeps both dates.
- Any number of files per folder. Names starting with `.` are ignored (write `.part` files, then rename).
- Re-delivering a folder is safe: a day is always re-loaded as a whole, and the same `event_id` with the
  same content is counted as a duplicate, never stored twice.

## Formats

| format | rules |
|---|---|
| Parquet (`.parquet`) | one row per event; a timestamp with a time zone, a decimal or an integer column is taken as it is (its values still checked: >= 0, at most 4 decimals); any other column type is read as text and validated; a float32 amount is refused |
| JSON Lines (`.jsonl`, `.ndjson`, `.json`) | one JSON object per line, UTF-8; blank lines are skipped |
| CSV (`.csv`) | UTF-8, comma-separated, a header row, RFC 4180 quoting; empty cell = missing |

Row numbers in the audit and quarantine tables count records from 1 (the CSV header is not a record;
in JSON Lines the row number is the line number).

## Fields every stream has (the envelope)

| field | type | required | meaning |
|---|---|---|---|"""

AFTER_ENVELOPE = """
Timestamps: `2024-03-01T14:05:00Z` and `2024-03-01T16:05:00+02:00` are instants, stored in UTC.
`2024-03-01` is a calendar date: that day in the reporting timezone (`occurred_at_is_date` is set), whatever
the timezone. A timestamp without an offset (`2024-03-01T14:05:00`) is rejected: the pipeline cannot know
which time zone it meant. An event dated more than one day after its arrival day is quarantined (reason
`occurs after it arrived`): a future date is an error in the source, never a reason to turn accounts lost.
So is an event before the earliest business date (`LIFECYCLE_EARLIEST_DATE`, default 1970-01-01) or with
an offset beyond +-14:00. In JSON Lines, the non-JSON tokens `NaN`, `Infinity` and `-Infinity` are read as
text: in an amount they quarantine the row.

Amounts are exact decimals: CSV cells and JSON numbers are read from their text (`12345678901234.5678`
stays exact), a double Parquet column by its shortest round-trip decimal, and a float32 Parquet amount
column is refused (every row quarantined with the reason). In CSV only an empty cell is missing: `NA`,
`NULL`, `N/A` and `nan` are data. A byte-order mark before the header is ignored.

Any column not named here is **kept** (in `extra_fields`, as JSON; nested values as nested JSON), never
dropped and never an error. A file name is a name: `p[1].parquet` is read as itself, never as a pattern.
"""

OUTCOMES = """## What happens to a row

| case | where it goes |
|---|---|
| valid | `raw.<stream>_received` (the log of every valid row, with arrival day, file and row) |
| valid, the first copy of its `event_id` in knowledge order (arrival day, file name, row) | `raw.<stream>_events` with `arrival_date` and `ingested_at` |
| same `event_id`, same content as that first copy (after normalising time zones and decimals) | counted in `rows_duplicate`, not stored again |
| same `event_id`, different content | `raw.quarantine` as a conflict, with a pointer to the stored version |
| breaks a rule above (missing field, bad timestamp, unknown type, negative amount, bad currency, text in a number, malformed line) | `raw.quarantine` with the reason, file, row number and the original record |
| the whole file cannot be read (corrupt, not UTF-8) | `raw.ingest_batches` with `status = 'unreadable'`; the day's `no_unreadable_files` check fails; the day's other files still load |

For every file, `raw.ingest_batches` records the content hash, `rows_read` counted from the file itself
(Parquet metadata, non-blank lines, CSV records) and the outcomes; the check `rows_balance` fails unless
`rows_read = rows_accepted + rows_duplicate + rows_quarantined`. It also records the file's size,
modification and change time as listed before reading (`file_stat`): `lifecycle run` without `--start`
and `--end` loads only the days whose files no longer match (a file added, removed, rewritten or moved in).

`raw.quarantine` has one row per rejected delivered record: a landed row, or one row of an export that
`lifecycle import-csv` made several events of (a sale's order and invoice, a ticket's opening and
resolution). When several events of that row are rejected, the one row's reason gives their reasons
together and lists the events (`...; export row 7 delivered 2 conflicting events: imp-A7-invoice,
imp-A7-order`), so one changed amount in an export is one conflict to fix. The audit above still counts
the landed events.

Order does not matter: which copy of an event is stored depends only on the landed files, never on which
days were loaded first. Loading days in any order, any number of times, gives the tables of one in-order
load; re-delivering a day (its folder replaced) and loading it again re-decides the events it held, and
never removes an event that another day still carries. A day whose folder is gone is emptied when its
range is loaded again.

## Importing a sales export (`lifecycle import-csv`)

A one-row-per-sale export (from an ERP, a shop, a spreadsheet) becomes contract files: each row an
`order_placed` and an `invoice_issued` event (a negative amount: a `credit_note_issued`), written to
`landing/sales/<arrival day>/import-[<system>-]<export name>.csv`.

```
lifecycle import-csv export.csv --map Customer=account_id --map Date=occurred_at --map Total=amount \
    [--map Currency=currency] [--map OrderNo=order_id] [--currency EUR] [--date-format %d.%m.%Y] \
    [--delimiter ';'] [--decimal-comma] [--encoding cp1252] [--negative credit|reject] \
    [--status-column COL --status-map VALUE=EFFECT ...] [--preset shopify-orders] [--dry-run] \
    [--arrival-date 2024-03-05] [--system erp] [--strict]
```

- Event ids come from the row's business key, never the file's name or the row's position: the mapped
  `order_id` and whether the row is a sale or a credit (an order with several rows of one kind adds a
  hash of each row's values), or else a hash of the row's mapped values (with `#2`, `#3` for identical
  rows, which stay separate sales). Tomorrow's cumulative export, under any name and in any order,
  delivers yesterday's rows again as duplicates and only its new rows as new events; a changed amount
  is one conflict (one quarantine row for the export row, listing its order and invoice) whose reason
  names the field and both values.
- `--system` (lower-case letters, digits, `-`, `_`; default none) starts every id: give it when two
  systems' order numbers could meet. (`--source-id` is its older name.)
- Numbers: `1,067.42`, `1'067.42` or `1 067.42`; with `--decimal-comma`, `1.067,42` or `1 067,42`. A
  separator only counts between groups of three digits, so `351,86` without the flag is a bad value
  (the message suggests the flag), never 35186.
- A negative amount is a credit note of its size against the invoice of the order the row names (or
  under its own number when no order is mapped), so net revenue equals the file's sum;
  `--negative reject` makes it a bad value instead.
- `--encoding` reads exports that are not UTF-8 (e.g. `cp1252`, `latin-1`); a UTF-8 byte order mark is
  ignored. `--date-format` takes any strptime format, with a time and an offset too
  (`%d.%m.%Y %H:%M %z`).
- `import_file` and `import_row` (the export's file and row number) go with every event as extra
  columns: provenance the raw layer keeps but never compares, so a re-sorted export is not a conflict.
- A row with a bad value is written as it was, so `lifecycle run` quarantines it with its reason; the
  command prints its counts (sales, credit notes, rows with problems) and the problems grouped by column
  and reason, with the first row of each. `--strict` refuses the whole file instead and writes nothing,
  and so does a file in which no row is usable (the command exits 1).
- The same export name on the same arrival day with other content is refused (landing files are never
  replaced): land the new version on another `--arrival-date`.
- A status column says which sales are revenue: `--status-column COL --status-map value=effect`
  (repeatable; an empty value names rows whose status is empty), where effect is `paid` (an order and
  its invoice), `pending` (an order, no invoice), `cancelled` (an order and its cancellation),
  `refunded` (an order, its invoice and a credit note of the whole amount) or `skip` (nothing). A row
  whose status the map does not name is a problem and is not written.
- Presets read well-known exports with no flag but the file; `--show-preset NAME` prints the flags a
  preset stands for, and any flag given overrides the preset's (e.g. `--map "Billing Company=account_id"`).
  A column a preset names but the export lacks is left empty (and said so); one you name with `--map`
  must be there.
  - `shopify-orders`: Shopify's orders export (one row per line item; the order's columns on its first
    row, the further rows skipped): `Name` is the order, `Email` the customer, `Total` the amount,
    `Financial Status` the status (`refunded`: credited in full, `voided`: cancelled, `pending` and
    `authorized`: no invoice).
  - `stripe-invoices`: Stripe's invoice export: `id` the order, `Number` the invoice, `Customer` the
    customer, `Total` the amount, `Status` the status (`paid`, `open` and `uncollectible`: invoiced,
    `void`: cancelled, `draft`: skipped).
  - `zendesk-tickets` (service): Zendesk's ticket export, below.
  - `hubspot-activities` (contact): HubSpot's activity export, below.
  - `hubspot-companies` (contact, account_updated): HubSpot's company export, below.

- An `.xlsx` workbook reads as its CSV would (`--sheet NAME`, default the first sheet): numbers exactly
  as Excel stores them, date cells in `--date-format` (else ISO-8601), empty rows left out.
- `--dry-run` prints the first events as they would be written, the counts and the problems, and writes
  nothing.

## Importing tickets and activities (`--stream service`, `--stream contact`)

The same command reads a help desk's ticket export and a CRM's activity export, with the same options
(formats, `--system`, `--dry-run`, `--strict`, the grouped problems) and ids from the business key, so a
cumulative re-export delivers only what is new.

```
lifecycle import-csv tickets.csv --stream service --map Id=ticket_id --map Organization=account_id \
    --map "Created at=occurred_at" [--map "Solved at=resolved_at"] [--map "Reopened at=reopened_at"] \
    [--map Score=csat_score] [--map "Rated at=rated_at"] [--map Type=category] [--map Priority=severity] \
    [--map Assignee=agent_id] [--value-map category:problem=complaint ...] [--preset zendesk-tickets]
lifecycle import-csv calls.csv --stream contact --map Company=account_id --map Date=occurred_at \
    (--event-type call | --status-column Type --status-map Call=call ...) [--map Id=activity_id] \
    [--map Contact=contact_person_id] [--map Owner=rep_id] [--map Direction=direction] \
    [--preset hubspot-activities]
```

- A ticket row is one ticket: `ticket_opened` at `occurred_at` (with its category and severity),
  `ticket_resolved` at `resolved_at` and `ticket_reopened` at `reopened_at` when those are filled, and
  `satisfaction_rated` when it has a score (at `rated_at`, else when resolved, else when opened). Ids:
  the ticket and the change, a resolution or reopening also by its time, so a ticket solved again is a
  second resolution and tomorrow's export of an unchanged ticket is all duplicates.
- A status history export (one row per change of a ticket) maps its status column instead:
  `--status-column Status --status-map new=opened --status-map solved=resolved
  --status-map reopened=reopened --status-map rated=rated --status-map pending=skip`; each row is that
  one change at `occurred_at`.
- An activity row is one contact event; its type comes from `--event-type` (the whole file) or a type
  column (`--status-column` with `--status-map VALUE=call|email|meeting|visit|lead_created|skip`). Its
  id is the mapped `activity_id`, else a hash of its values (`#2` for identical rows).
- A CRM's account (company) export is the account master: `--event-type account_updated`, one row per
  account, `occurred_at` its last-modified time, and any of `--map COL=account_name|segment|industry|
  region|country|employees|owner_rep_id`. Each row sets the attributes it has (an empty cell leaves one
  as it was) from that time on; they never count as contact. Its id is a hash of its mapped values, so a
  repeated export sends an unchanged account again as a duplicate and a changed one as a new update.
- Coded values are translated with `--value-map FIELD:VALUE=TARGET` (category, severity, direction,
  csat_score; case does not matter; an empty TARGET means no value): e.g. `csat_score:good=5`. A value
  the contract does not know is a problem of its row, named with the flag that would translate it.
- `zendesk-tickets`: `Id` the ticket, `Organization` the customer, `Created at` and `Solved at`, `Ticket
  type` the category (`problem` counts as a complaint, `task` as a request), `Priority` the severity
  (`urgent` is high), `Satisfaction Score` (`Good` 5, `Bad` 1, offered but unanswered: none), `Assignee`
  the agent.
- `hubspot-activities`: `Record ID` the activity, `Associated Company` the customer, `Activity date`,
  `Activity type` (calls, e-mails and meetings; notes and tasks skipped), `Associated Contact` the
  contact person, `Activity assigned to` the rep, `Call direction` the direction where the export has it.
- `hubspot-companies`: `Record ID` the customer, `Last Modified Date` the time, `Company name`,
  `Industry`, `Country/Region`, `Number of Employees`, `Company owner`; HubSpot has no standard segment or
  sales-region property, so map yours (`--map "Segment=segment"`). The column names are HubSpot's
  documented defaults, not checked against a live export.
## FX rates

`<warehouse>/landing/fx_rates/*.csv` with the header `rate_date,base_currency,currency,rate`: one row per
day and currency, `rate` = units of `currency` per 1 `base_currency` (e.g. `2024-03-01,EUR,PLN,4.3170`).
All rates of one day share one base currency (two bases on a day are refused when the rates load).
Revenue in the reporting currency needs no rate, so a one-currency business needs no rates file. Every
other day and currency with revenue needs its rate and the reporting currency's; a missing rate stops the
build and the run summary names the currency and date. Conversion: amount / rate(currency) x
rate(reporting currency), in exact decimal arithmetic, rounded half-even to 4 decimals per line.

## Simulated data and its faults

`lifecycle simulate` writes files exactly like these. With `--faults` it also plants, at these rates per
event of the streams named:

| fault | rate | streams |
|---|---|---|"""


def _type(f: FieldSpec) -> str:
    if f.kind == "enum":
        return " / ".join(f"`{a}`" for a in f.allowed)
    if f.kind == "int" and f.minimum is not None:
        return f"whole number {f.minimum}..{f.maximum}" if f.maximum else f"whole number >= {f.minimum}"
    return KINDS[f.kind]


def render() -> str:
    out = [HEADER]
    for f in ENVELOPE_FIELDS:
        kind = "one of the stream's types" if f.name == "event_type" else KINDS[f.kind]
        out.append(f"| `{f.name}` | {kind} | yes | {f.description} |")
    out.append(AFTER_ENVELOPE)
    for s in STREAMS.values():
        out.append(f"## Stream `{s.name}`\n")
        out.append("Event types: " + ", ".join(f"`{t}`" for t in s.event_types) + ".\n")
        out.append("| field | type | required on | meaning |\n|---|---|---|---|")
        for f in s.fields:
            req = (
                "all types"
                if f.required_for == ("*",)
                else ", ".join(f"`{t}`" for t in f.required_for) or "optional"
            )
            out.append(f"| `{f.name}` | {_type(f)} | {req} | {f.description} |")
        out.append("")
    out.append(OUTCOMES)
    for name, rate in FAULT_RATES.items():
        out.append(f"| `{name}` | {rate:.2%} | {', '.join(FAULT_STREAMS[name])} |")
    out.append(f"""| `extra_column` | every row | {EXTRA_COLUMN[0]} (column `{EXTRA_COLUMN[1]}`) |
| `corrupt_file` | one file | sales (random bytes) |

Each stream gets at least one of each of its faults, however small the run. `malformed_line` applies to
JSON Lines and CSV only. Every planted fault is listed, with its file and row,
in `landing/_simulation/faults.parquet`; the behavioural truth (loss drivers) is in
`landing/_simulation/parameters.json` and `accounts.parquet`.
""")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "docs" / "events.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
