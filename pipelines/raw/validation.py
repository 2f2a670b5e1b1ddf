"""SQL for the contract rules, generated from `pipelines.contract` so ingestion and simulator never drift.

Identifiers and literals here come from the contract (code), never from input data; input values are
only ever compared inside SQL.
"""

from __future__ import annotations

import json

from pipelines.contract import StreamSchema
from pipelines.contract.currencies import ISO_4217
from pipelines.raw.tables import SQL_TYPES

DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
TIMESTAMP_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$"
DECIMAL_RE = r"^\d{1,16}(\.\d{1,4})?$"
INT_RE = r"^\d{1,9}$"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_list(values) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def json_field_exprs(schema: StreamSchema) -> list[str]:
    """Contract fields pulled out of a JSON line (`_line`), as text."""
    return [
        f"case when _json_ok then _line ->> {_lit('$.' + json.dumps(name))} end as {name}"
        for name in schema.field_names
    ]


def json_extra_patch(schema: StreamSchema, extra_keys: tuple[str, ...] = ()) -> str:
    """A merge patch that deletes every contract key: what is left of a record are its extra fields."""
    return json.dumps(dict.fromkeys(schema.field_names + extra_keys))


def parsed_expr(spec) -> str:
    """Typed value of a (trimmed, empty-as-null) text field, null where it does not parse."""
    name = spec.name
    if spec.kind == "timestamp":
        return (
            f"case when regexp_matches({name}, {_lit(DATE_RE)}) then try_cast({name} as date)::timestamptz "
            f"when regexp_matches({name}, {_lit(TIMESTAMP_RE)}) then try_cast({name} as timestamptz) end"
        )
    if spec.kind == "decimal":
        return f"case when regexp_matches({name}, {_lit(DECIMAL_RE)}) then try_cast({name} as {SQL_TYPES['decimal']}) end"
    if spec.kind == "int":
        return f"case when regexp_matches({name}, {_lit(INT_RE)}) then try_cast({name} as integer) end"
    return name


def reason_exprs(schema: StreamSchema) -> list[str]:
    """One SQL expression per rule, yielding a reason text when the rule is broken (else null)."""
    reasons = []
    for spec in schema.all_fields:
        name = spec.name
        if spec.required_for == ("*",):
            reasons.append(f"case when {name} is null then 'missing required field {name}' end")
        elif spec.required_for:
            reasons.append(
                f"case when {name} is null and event_type in {_in_list(spec.required_for)} "
                f"then 'missing field {name}, required on ' || event_type end"
            )
        bad = f"{name} is not null and "
        if spec.kind == "enum":
            reasons.append(
                f"case when {bad}{name} not in {_in_list(spec.allowed)} then 'unknown {name} ' || {name} end"
            )
        elif spec.kind == "currency":
            reasons.append(
                f"case when {bad}{name} not in {_in_list(ISO_4217)} "
                f"then 'invalid {name}: not an ISO 4217 code: ' || {name} end"
            )
        elif spec.kind == "timestamp":
            reasons.append(
                f"case when {bad}_{name} is null then 'invalid {name}: not an ISO-8601 timestamp "
                f"with offset, nor a date: ' || {name} end"
            )
        elif spec.kind == "decimal":
            reasons.append(
                f"case when {bad}regexp_matches({name}, '^-') and _{name} is null "
                f"and try_cast({name} as double) is not null "
                f"then 'invalid {name}: negative: ' || {name} "
                f"when {bad}_{name} is null then 'invalid {name}: not a decimal number: ' || {name} end"
            )
        elif spec.kind == "int":
            bounds = []
            if spec.minimum is not None:
                bounds.append(f"_{name} < {int(spec.minimum)}")
            if spec.maximum is not None:
                bounds.append(f"_{name} > {int(spec.maximum)}")
            out = (
                f" when {' or '.join(bounds)} then 'invalid {name}: out of range: ' || {name}"
                if bounds
                else ""
            )
            reasons.append(
                f"case when {bad}_{name} is null then 'invalid {name}: not a whole number >= 0: ' "
                f"|| {name}{out} end"
            )
    return reasons


def checked_select(schema: StreamSchema, stage: str) -> str:
    """SELECT over the stage table adding typed `_<field>` columns and `_reasons` (empty list = valid)."""
    trimmed = ", ".join(f"nullif(trim({n}), '') as {n}" for n in schema.field_names)
    typed = ", ".join(f"{parsed_expr(f)} as _{f.name}" for f in schema.all_fields)
    reasons = ",\n            ".join(reason_exprs(schema))
    return f"""
        with trimmed as (
            select _arrival_date, _file, _row, _extra, _line, _parse_error, {trimmed} from {stage}
        ), typed as (select *, {typed} from trimmed)
        select *,
            case when _parse_error is not null then [_parse_error]
                 else list_filter([
            {reasons}
                 ], lambda x: x is not null) end as _reasons
        from typed"""


def content_hash_expr(schema: StreamSchema) -> str:
    """Hash of the normalised content (UTC instant, exact decimals, extras): equal content, equal hash."""
    parts = ", ".join(f"{f.name} := _{f.name}" for f in schema.all_fields)
    return f"md5(to_json(struct_pack({parts}, _extra := _extra)))"
