"""Pure helpers for invoking dbt (kept apart so they can be unit-tested without Dagster or dbt)."""

from __future__ import annotations

import json

# dbt vars the CLI and run config accept (documented in dbt_project/dbt_project.yml).
LIFECYCLE_VARS = (
    "lost_after_days",
    "loyal_window_days",
    "loyal_min_purchase_days",
    "at_risk_factor",
    "reporting_timezone",
    "reporting_currency",
    "as_of_date",
)
INTEGER_VARS = ("lost_after_days", "loyal_window_days", "loyal_min_purchase_days")


def parse_var_assignments(assignments: list[str]) -> dict[str, str | int | float]:
    """`name=value` strings (from `lifecycle run --var`) to a vars dict; unknown names are an error."""
    result: dict[str, str | int | float] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"--var expects name=value, got {item!r}")
        if name not in LIFECYCLE_VARS:
            raise ValueError(f"unknown var {name!r}; known: {', '.join(LIFECYCLE_VARS)}")
        result[name] = coerce_var(name, value.strip())
    return result


def coerce_var(name: str, value: str) -> str | int | float:
    if name in INTEGER_VARS:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"var {name} must be a whole number, got {value!r}") from None
        if number < 1:
            raise ValueError(f"var {name} must be at least 1, got {number}")
        return number
    if name == "at_risk_factor":
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"var at_risk_factor must be a number, got {value!r}") from None
    return value


def dbt_build_args(dbt_vars: dict | None = None, select: str | None = None) -> list[str]:
    """Arguments for `dbt build`, with vars as one JSON document (dbt parses it as YAML)."""
    args = ["build"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    if select:
        args += ["--select", select]
    return args
