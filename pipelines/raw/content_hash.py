"""The content hash of an event's row: equal content, equal hash. It tells a re-delivered duplicate from a
conflicting copy of the same event_id.

Version 5 hashes the JSON array of the typed values as text (an instant as epoch microseconds, so the
session's time zone cannot change it), the date flags and the extra fields without the provenance fields
(contract.PROVENANCE_FIELDS: which file and row delivered the event is not its content), none when only
provenance was there. Version 4 hashed those as an empty object, so an imported copy conflicted with the
same event delivered without provenance ("extra fields: {} stored, empty delivered"). Version 3 was
the same before the contact stream gained the account attributes (its array is longer since). Version 2
hashed the provenance too, so a re-sorted export or one under a new file name conflicted with itself;
version 1 hashed a JSON object of the typed values, which made a batch's check a third slower.
A writer that opens a raw layer holding older hashes recomputes them in place from the stored columns
(`tables.create_raw_tables`), so an event delivered again after the upgrade still matches its copy.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pipelines.contract import PROVENANCE_FIELDS, StreamSchema
from pipelines.warehouse.sql import lit

CONTENT_HASH_VERSION = 5

# a JSON merge patch that deletes the provenance keys from the extra fields
_WITHOUT_PROVENANCE = lit(json.dumps(dict.fromkeys(PROVENANCE_FIELDS)))


def extra_content_expr(extra: str) -> str:
    """SQL for the extra fields' text as content, provenance keys removed: null when none are left."""
    without = f"json_merge_patch({extra}, {_WITHOUT_PROVENANCE})::varchar"
    return f"case when {extra} is not null then nullif({without}, '{{}}') end"


def content_hash_expr(
    schema: StreamSchema, column: Callable[[str], str] = lambda name: f"_{name}", extra: str = "_extra"
) -> str:
    """SQL for the hash; `column` names the typed column of a field (checked rows: `_<field>`; stored
    rows: `<field>`) and `extra` the extra fields' JSON text."""
    values = [
        f"epoch_us({column(f.name)})::varchar" if f.kind == "timestamp" else f"{column(f.name)}::varchar"
        for f in schema.all_fields
    ]
    values += [f"{column(f.name + '_is_date')}::varchar" for f in schema.all_fields if f.kind == "timestamp"]
    values.append(extra_content_expr(extra))
    return f"md5(to_json([{', '.join(values)}]))"
