"""The plausible window of business dates: what lies outside is a source error, refused before it reaches
a model (an event dated 0001-01-01 gave one account 24,283 monthly rows and a roll-forward from year 1).

    LIFECYCLE_EARLIEST_DATE  the earliest business date an event may have (default 1970-01-01)

Event instants carry an offset within +-14:00 (the widest in use); an event lies at most a day after its
arrival day (pipelines/raw/validation.py). An as-of date lies within the events' span, up to ten years after
the last event (models/intermediate/int_as_of_date_resolved.sql).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date

from pipelines.errors import ConfigError

EARLIEST_DATE_ENV = "LIFECYCLE_EARLIEST_DATE"
DEFAULT_EARLIEST_DATE = date(1970, 1, 1)
LOWEST_EARLIEST_DATE = date(1900, 1, 1)
MAX_OFFSET = "14:00"


def earliest_business_date(environ: Mapping[str, str] | None = None) -> date:
    """The earliest business date named by the environment, else the default; a bad value raises
    ValueError naming the variable."""
    text = (os.environ if environ is None else environ).get(EARLIEST_DATE_ENV, "").strip()
    if not text:
        return DEFAULT_EARLIEST_DATE
    try:
        chosen = date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{EARLIEST_DATE_ENV}={text!r}: give a date YYYY-MM-DD") from None
    if not LOWEST_EARLIEST_DATE <= chosen <= date.today():
        raise ConfigError(f"{EARLIEST_DATE_ENV}={text!r}: give a date from {LOWEST_EARLIEST_DATE} to today")
    return chosen
