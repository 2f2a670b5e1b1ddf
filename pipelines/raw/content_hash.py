"""The content hash of an event's row: equal content, equal hash. It tells a re-delivered duplicate from a
conflicting copy of the same event_id.

Version 2 hashes the JSON array of the typed values as text (an instant as epoch microseconds, so the
session's time zone cannot change it), the date flags and the extra fields. Version 1 hashed a JSON object
of the typed values, which made a batch's check a third slower.
A writer that opens a raw layer holding older hashes recomputes them in place from the stored columns
(`tables.create_raw_tables`), so an event delivered again after the upgrade still matches its copy.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.contract import StreamSchema

CONTENT_HASH_VERSION = 2


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
    values.append(f"{extra}::varchar")
    return f"md5(to_json([{', '.join(values)}]))"
