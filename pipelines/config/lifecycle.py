"""The lifecycle settings, defined once: names, defaults, meaning and validation.

The CLI (`lifecycle run --var name=value`) and Dagster (the `lifecycle_settings` resource, a subclass,
set per run in run config) both build this class, so a bad value fails before any work with a message that
names the setting and what it accepts. dbt receives the validated values as vars; the dbt project's files that
name the settings are generated from here (`python -m pipelines.dbt.settings_files`), and a test fails
when they are stale.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipelines.contract.currencies import ISO_4217
from pipelines.errors import ConfigError

# Every window and threshold has a finite range: ten years of days or months is past any business rule,
# and a larger value only makes the models compute windows nobody reads.
MAX_DAYS = 3650
MAX_MONTHS = 120


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class LifecycleSettings(BaseModel):
    """The rules that turn events into stages and revenue; every one can be set per run. A plain model:
    Dagster's resource of the same fields is `LifecycleSettingsResource` (pipelines/defs/resources.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lost_after_days: int = Field(
        default=365,
        ge=1,
        le=MAX_DAYS,
        description="more days than this since the last purchase day: **lost**",
    )
    loyal_window_days: int = Field(
        default=365,
        ge=1,
        le=MAX_DAYS,
        description="the trailing window (d - window, d] in which purchase days count",
    )
    loyal_min_purchase_days: int = Field(
        default=4,
        ge=1,
        le=MAX_DAYS,
        description="purchase days inside that window that make an account **loyal**",
    )
    at_risk_factor: float = Field(
        default=2.0,
        gt=0,
        le=100,
        allow_inf_nan=False,
        description="buying accounts are **at risk** when days since the last purchase day exceed factor x "
        "their median gap between purchase days",
    )
    driver_lookback_months: int = Field(
        default=12,
        ge=1,
        le=MAX_MONTHS,
        description="churn drivers are measured over this many months before each quarter start",
    )
    churn_outcome_months: int = Field(
        default=12,
        ge=1,
        le=MAX_MONTHS,
        description="an account counts as lost for a quarter start when it becomes lost within this many "
        "months after it (only quarters whose months have all elapsed)",
    )
    complaint_sla_days: int = Field(
        default=7,
        ge=1,
        le=MAX_DAYS,
        description="a complaint resolved (or still open) after more days than this is **slow** "
        "(**unresolved** when still open at the quarter start)",
    )
    post_sale_contact_days: int = Field(
        default=90,
        ge=1,
        le=MAX_DAYS,
        description="a contact within this many days after a purchase day counts as **post-sale contact**",
    )
    discount_high_rate: float = Field(
        default=0.08,
        gt=0,
        lt=1,
        allow_inf_nan=False,
        description="discount / (amount + discount) of the purchases above this is a **high** discount; "
        "above 0 **low**",
    )
    payment_late_days: int = Field(
        default=7,
        ge=0,
        le=MAX_DAYS,
        description="an invoice paid (or still unpaid) more than this many days after its due date is "
        "**late**",
    )
    key_account_share: float = Field(
        default=0.2,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="the top share of accounts by trailing-12-month revenue that are **key accounts**",
    )
    reporting_timezone: str = Field(
        default="UTC",
        description="the calendar that turns event instants into purchase days and reporting dates",
    )
    reporting_currency: str = Field(
        default="EUR", description="the currency revenue is converted to (FX rate of the booking date)"
    )
    forecast_horizon_days: int = Field(
        default=365,
        ge=1,
        le=MAX_DAYS,
        description="the days after the as-of date the purchase forecasts cover (account_forecasts)",
    )
    forecast_holdout_days: int = Field(
        default=365,
        ge=0,
        le=MAX_DAYS,
        description="the forecast backtest is calibrated this many days before the as-of date and checked "
        "on the days since (forecast_backtest); 0: no backtest",
    )
    as_of_date: str | None = Field(
        default=None,
        description="the date current stages are evaluated at (YYYY-MM-DD); empty: the latest event date",
    )

    @field_validator("reporting_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in _time_zones():
            raise ValueError(f"must be a tz-database zone such as UTC or Europe/Berlin, got {value!r}")
        return value

    @field_validator("reporting_currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if value not in ISO_4217:
            raise ValueError(f"must be an ISO 4217 code in upper case such as EUR or USD, got {value!r}")
        return value

    @field_validator("as_of_date")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"must be a date YYYY-MM-DD, got {value!r}")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be a real calendar date YYYY-MM-DD, got {value!r}") from None
        return value

    def dbt_vars(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in type(self).model_fields}

    def changed_vars(self) -> dict[str, Any]:
        """The settings that differ from the defaults (dbt_project.yml holds those): dbt's partial
        parsing stays valid when a run passes no vars."""
        default = defaults()
        return {k: v for k, v in self.dbt_vars().items() if v != default[k]}


def setting_names() -> tuple[str, ...]:
    return tuple(LifecycleSettings.model_fields)


def defaults() -> dict[str, Any]:
    return {name: f.default for name, f in LifecycleSettings.model_fields.items()}


def explain(error: ValidationError) -> str:
    """One line per bad setting: its name and what it accepts."""
    lines = []
    for item in error.errors():
        name = ".".join(str(p) for p in item["loc"]) or "settings"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"setting {name}: {message}")
    return "; ".join(lines)


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """`name=value` strings (from `lifecycle run --var`) to a dict; unknown names are an error."""
    result: dict[str, str] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f"--var expects name=value, got {item!r}")
        if name not in setting_names():
            raise ConfigError(f"unknown setting {name!r}; known: {', '.join(setting_names())}")
        result[name] = value.strip()
    return result


def settings_from(overrides: dict[str, Any]) -> LifecycleSettings:
    """Validated settings; raises ValueError naming each bad setting."""
    try:
        return LifecycleSettings(**overrides)
    except ValidationError as exc:
        raise ConfigError(explain(exc)) from None
