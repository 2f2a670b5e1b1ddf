"""A direct, day-by-day evaluation of the stage rules: the oracle the SQL engine is
compared with. Deliberately naive: it walks every calendar day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Rules:
    lost_after_days: int = 365
    loyal_window_days: int = 365
    loyal_min_purchase_days: int = 4


def stage_on(d: date, first_seen: date, purchase_days: set[date], rules: Rules = Rules()) -> str | None:
    if d < first_seen:
        return None
    bought = sorted(p for p in purchase_days if p <= d)
    if not bought:
        return "prospect"
    if (d - bought[-1]).days > rules.lost_after_days:
        return "lost"
    window_start = d - timedelta(days=rules.loyal_window_days)
    if sum(1 for p in bought if window_start < p <= d) >= rules.loyal_min_purchase_days:
        return "loyal"
    if len(bought) >= 2:
        return "repeat"
    return "first_buyer"


def transitions(
    first_seen: date, purchase_days: set[date], until: date, rules: Rules = Rules()
) -> list[tuple[str | None, str, date]]:
    """(from, to, on) for every change between first_seen and until, inclusive."""
    result = []
    previous = None
    d = first_seen
    while d <= until:
        stage = stage_on(d, first_seen, purchase_days, rules)
        if stage != previous:
            result.append((previous, stage, d))
            previous = stage
        d += timedelta(days=1)
    return result
