"""SQL for the contract rules, generated from `pipelines.contract` so ingestion and simulator never drift.

Identifiers and literals here come from the contract (code), never from input data; input values are
only ever compared inside SQL.
"""

from __future__ import annotations

import json

from pipelines.contract import FieldSpec, StreamSchema
from pipelines.contract.currencies import ISO_4217
from pipelines.contract.window import EARLIEST_DATE_ENV, MAX_OFFSET, earliest_business_date
from pipelines.raw.tables import SQL_TYPES
from pipelines.warehouse.sql import in_list, lit

DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
TIMESTAMP_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$"
DECIMAL_RE = r"^\d{1,16}(\.\d{1,4})?$"
INT_RE = r"^\d{1,9}$"
# A time of day with an offset past +-14:00 (the widest any zone uses): +15 .. +99, or +14 with minutes
OFFSET_BEYOND_RE = r"[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?[+-](1[5-9]|[2-9]\d|14:?(0[1-9]|[1-5]\d))(:?\d{2})?$"
INT_MAX = 999_999_999  # the largest value INT_RE lets through
# Kinds a natively typed Parquet column can carry: staged beside the text as `_native_<field>` (see
# `staging.native_value`), taken as they are, so those values skip the text parse.
NATIVE_KINDS = ("timestamp", "decimal", "int")
# An event may lie this many days after its arrival day (time zones); later ones are source errors.
MAX_DAYS_AFTER_ARRIVAL = 1
OCCURS_AFTER_ARRIVAL = "occurs after it arrived"


def json_extra_patch(schema: StreamSchema, extra_keys: tuple[str, ...] = ()) -> str:
    """A merge patch that deletes every contract key: what is left of a record are its extra fields."""
    return json.dumps(dict.fromkeys(schema.field_names + extra_keys))


def native_column(spec: FieldSpec) -> str:
    return f"_native_{spec.name}"


def parsed_expr(spec: FieldSpec) -> str:
    """Typed value of a field: its native Parquet value when it has one, else its (trimmed, empty-as-null)
    text parsed, null where it does not parse.

    A date-only timestamp is stored as midnight UTC of that date with `_<name>_is_date` set, so the
    models can place it on that calendar day in any reporting timezone.
    """
    if spec.kind in NATIVE_KINDS:
        return f"coalesce({native_column(spec)}, {_text_parsed_expr(spec)})"
    return _text_parsed_expr(spec)


def _text_parsed_expr(spec: FieldSpec) -> str:
    name = spec.name
    if spec.kind == "timestamp":
        return (
            f"case when regexp_matches({name}, {lit(DATE_RE)}) then try_cast({name} as date)::timestamptz "
            f"when regexp_matches({name}, {lit(TIMESTAMP_RE)}) then try_cast({name} as timestamptz) end"
        )
    if spec.kind == "decimal":
        decimal_type = SQL_TYPES["decimal"]
        return (
            f"case when regexp_matches({name}, {lit(DECIMAL_RE)}) then try_cast({name} as {decimal_type}) end"
        )
    if spec.kind == "int":
        return f"case when regexp_matches({name}, {lit(INT_RE)}) then try_cast({name} as integer) end"
    return name


def _int_reason(spec: FieldSpec) -> str:
    name, bad = spec.name, f"{spec.name} is not null and "
    bounds = []
    if spec.minimum is not None:
        bounds.append(f"_{name} < {int(spec.minimum)}")
    if spec.maximum is not None:
        bounds.append(f"_{name} > {int(spec.maximum)}")
    out = f" when {' or '.join(bounds)} then 'invalid {name}: out of range: ' || {name}" if bounds else ""
    return (
        f"case when {bad}_{name} is null then 'invalid {name}: not a whole number >= 0: ' || {name}{out} end"
    )


def _kind_reason(spec: FieldSpec) -> str | None:
    name, bad = spec.name, f"{spec.name} is not null and "
    if spec.kind == "enum":
        return f"case when {bad}{name} not in {in_list(spec.allowed)} then 'unknown {name} ' || {name} end"
    if spec.kind == "currency":
        return (
            f"case when {bad}{name} not in {in_list(ISO_4217)} "
            f"then 'invalid {name}: not an ISO 4217 code: ' || {name} end"
        )
    if spec.kind == "timestamp":
        earliest = earliest_business_date()
        return (
            f"case when {bad}_{name} is null then 'invalid {name}: not an ISO-8601 timestamp "
            f"with offset, nor a date: ' || {name} "
            f"when {bad}regexp_matches({name}, {lit(OFFSET_BEYOND_RE)}) "
            f"then 'invalid {name}: offset beyond +-{MAX_OFFSET}: ' || {name} "
            f"when cast(_{name} as date) < {lit(earliest.isoformat())}::date "
            f"then 'invalid {name}: before the earliest business date {earliest} "
            f"({EARLIEST_DATE_ENV}): ' || {name} "
            f"when cast(_{name} as date) > _arrival_date + {MAX_DAYS_AFTER_ARRIVAL} "
            f"then '{OCCURS_AFTER_ARRIVAL}: {name} ' || {name} || ' is more than "
            f"{MAX_DAYS_AFTER_ARRIVAL} day after arrival day ' || _arrival_date end"
        )
    if spec.kind == "decimal":
        return (
            f"case when _{name} is null and {bad}regexp_matches({name}, '^-') "
            f"and isfinite(try_cast({name} as double)) "
            f"then 'invalid {name}: negative: ' || {name} "
            f"when {bad}_{name} is null then 'invalid {name}: not a decimal number: ' || {name} end"
        )
    if spec.kind == "int":
        return _int_reason(spec)
    return None


def reason_exprs(schema: StreamSchema) -> list[str]:
    """One SQL expression per rule, yielding a reason text when the rule is broken (else null)."""
    reasons = []
    for spec in schema.all_fields:
        name = spec.name
        if spec.required_for == ("*",):
            reasons.append(f"case when {name} is null then 'missing required field {name}' end")
        elif spec.required_for:
            reasons.append(
                f"case when {name} is null and event_type in {in_list(spec.required_for)} "
                f"then 'missing field {name}, required on ' || event_type end"
            )
        reason = _kind_reason(spec)
        if reason:
            reasons.append(reason)
    return reasons


def checked_select(schema: StreamSchema, stage: str) -> str:
    """SELECT over the stage table adding typed `_<field>` columns and `_reasons` (empty list = valid)."""
    trimmed = ", ".join(f"nullif(trim({n}), '') as {n}" for n in schema.field_names)
    natives = "".join(f", {native_column(f)}" for f in schema.all_fields if f.kind in NATIVE_KINDS)
    typed = ", ".join(f"{parsed_expr(f)} as _{f.name}" for f in schema.all_fields)
    date_flags = ", ".join(
        f"case when {native_column(f)} is null "
        f"then coalesce(regexp_matches({f.name}, {lit(DATE_RE)}), false) else false end as _{f.name}_is_date"
        for f in schema.all_fields
        if f.kind == "timestamp"
    )
    reasons = ",\n            ".join(reason_exprs(schema))
    return f"""
        with trimmed as (
            select _arrival_date, _file, _row, _extra, _line, _parse_error{natives}, {trimmed} from {stage}
        ), typed as (select *, {typed}, {date_flags} from trimmed)
        select *,
            case when _parse_error is not null then [_parse_error]
                 else list_filter([
            {reasons}
                 ], lambda x: x is not null) end as _reasons
        from typed"""
