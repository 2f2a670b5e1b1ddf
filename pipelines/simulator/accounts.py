"""Latent account state: who converts, how each account buys, and what drives its loss."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.simulator.params import SimulationParams

DAYS_PER_YEAR = 365.25


def _choice(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    """Indexes into list(mix) drawn with the mix's probabilities."""
    probs = np.array(list(mix.values()), dtype=float)
    return rng.choice(len(probs), size=n, p=probs / probs.sum())


@dataclass
class Accounts:
    """One entry per account; times are days since 1970-01-01 (float)."""

    number: np.ndarray  # global account number (unique across chunks)
    created: np.ndarray
    converted: np.ndarray
    first_order: np.ndarray  # nan where the account never buys
    n_contact_persons: np.ndarray
    post_sale_contact: np.ndarray
    complaint_handling: np.ndarray  # index into params.complaint_handling_mix
    discount_band: np.ndarray  # index into params.discount_band_mix
    currency: np.ndarray  # index into params.currency_mix
    mean_gap_days: np.ndarray
    amount_scale: np.ndarray
    late_payer: np.ndarray
    rep: np.ndarray
    yearly_loss_hazard: np.ndarray
    loss_at: np.ndarray  # when the account stops buying (may lie after the end)
    win_back_start: np.ndarray  # nan unless won back before the end
    win_back_end: np.ndarray
    win_back_contacted: np.ndarray  # a rep contacts the account after its loss (converted accounts only)
    segment: np.ndarray  # the first segment: index into params.segment_mix
    industry: np.ndarray  # index into params.industry_mix; -1 never set
    region: np.ndarray  # index into params.region_countries; -1 never set (nor the country)
    country: np.ndarray  # index into the region's countries
    employees: np.ndarray
    segment_changes: tuple[np.ndarray, np.ndarray, np.ndarray]  # (account index, time, new segment)

    def __len__(self) -> int:
        return len(self.number)


def farmer_reps(p: SimulationParams) -> int:
    """Reps 0 .. farmer_reps - 1 are farmers, the rest hunters (at least one of each)."""
    return max(1, min(p.n_reps - 1, round(p.n_reps * p.farmer_rep_share)))


def draw_accounts(
    rng: np.random.Generator,
    p: SimulationParams,
    n: int,
    first_number: int,
    start: float,
    end: float,
    crm: np.random.Generator,
) -> Accounts:
    """`crm` draws the account master and the sales team's plants, so that they leave `rng`'s stream (and
    with it the events' randomness) as it was before them."""
    span = end - start
    created = start + rng.uniform(0.0, span, n)
    first_order = created + rng.exponential(p.lead_to_first_order_mean_days, n)
    converted = (rng.uniform(size=n) < p.p_convert) & (first_order < end)
    first_order = np.where(converted, first_order, np.nan)

    single = rng.uniform(size=n) < p.p_single_contact_person
    n_persons = np.where(single, 1, rng.integers(2, p.max_contact_persons + 1, n))
    post_sale = rng.uniform(size=n) < p.p_post_sale_contact
    handling = _choice(rng, p.complaint_handling_mix, n)
    discount = _choice(rng, p.discount_band_mix, n)
    currency = _choice(rng, p.currency_mix, n)
    gap = np.clip(rng.lognormal(np.log(p.gap_median_days), p.gap_sigma, n), p.gap_min_days, p.gap_max_days)
    scale = rng.lognormal(np.log(p.order_amount_median), p.order_amount_account_sigma, n)

    segment = _choice(crm, p.segment_mix, n)
    m_segment = np.array([p.segment_loss_multiplier[s] for s in p.segment_mix])[segment]
    contacted = crm.uniform(size=n) < p.p_win_back_contact
    p_back = p.p_win_back * np.where(contacted, p.win_back_contact_multiplier, 1.0)

    mult = p.loss_multiplier
    handling_names = list(p.complaint_handling_mix)
    discount_names = list(p.discount_band_mix)
    m_handling = np.array([mult.get(f"complaints_{h}", 1.0) for h in handling_names])[handling]
    m_discount = np.array([mult.get(f"discount_{d}", 1.0) for d in discount_names])[discount]
    hazard = (
        p.base_yearly_loss_hazard
        * m_handling
        * m_discount
        * np.where(single, mult["single_contact_person"], 1.0)
        * np.where(post_sale, 1.0, mult["no_post_sale_contact"])
        * m_segment
    )
    loss_at = first_order + rng.exponential(1.0, n) / hazard * DAYS_PER_YEAR

    lo, hi = p.win_back_delay_days
    wb_start = loss_at + rng.uniform(lo, hi, n)
    won_back = converted & (rng.uniform(size=n) < p_back) & (wb_start < end)
    wb_end = wb_start + rng.exponential(p.win_back_spell_mean_days, n)

    late_payer = rng.uniform(size=n) < p.p_late_payer
    rep = rng.integers(0, p.n_reps, n)  # drawn as before the plants, then reassigned by style below
    n_farmers = farmer_reps(p)
    rep = np.where(post_sale, crm.integers(0, n_farmers, n), crm.integers(n_farmers, p.n_reps, n))

    industry = np.where(crm.uniform(size=n) < p.p_attribute_unset, -1, _choice(crm, p.industry_mix, n))
    region = np.where(
        crm.uniform(size=n) < p.p_attribute_unset, -1, crm.integers(0, len(p.region_countries), n)
    )
    n_countries = np.array([len(c) for c in p.region_countries.values()])[np.maximum(region, 0)]
    country = crm.integers(0, n_countries)
    bounds = np.array([p.segment_employees[s] for s in p.segment_mix])[segment]
    employees = crm.integers(bounds[:, 0], bounds[:, 1] + 1)

    idx = np.arange(n)
    rate = p.segment_changes_per_year / DAYS_PER_YEAR
    counts = crm.poisson(np.maximum(end - created, 0.0) * rate)
    who = np.repeat(idx, counts)
    when = created[who] + crm.uniform(size=who.size) * (end - created[who])
    # another segment than the first (a later change may return to it)
    moved = (segment[who] + crm.integers(1, len(p.segment_mix), who.size)) % len(p.segment_mix)

    return Accounts(
        number=np.arange(first_number, first_number + n, dtype=np.int64),
        created=created,
        converted=converted,
        first_order=first_order,
        n_contact_persons=n_persons,
        post_sale_contact=post_sale,
        complaint_handling=handling,
        discount_band=discount,
        currency=currency,
        mean_gap_days=gap,
        amount_scale=scale,
        late_payer=late_payer,
        rep=rep,
        yearly_loss_hazard=hazard,
        loss_at=np.where(converted, loss_at, np.nan),
        win_back_start=np.where(won_back, wb_start, np.nan),
        win_back_end=np.where(won_back, wb_end, np.nan),
        win_back_contacted=converted & contacted,
        segment=segment,
        industry=industry,
        region=region,
        country=country,
        employees=employees,
        segment_changes=(who, when, moved),
    )


def buying_spells(acc: Accounts, end: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(account index, spell start, spell end) for every period in which an account buys."""
    idx = np.arange(len(acc))
    first = acc.converted
    s1 = (idx[first], acc.first_order[first], np.minimum(acc.loss_at[first], end))
    second = ~np.isnan(acc.win_back_start)
    s2 = (idx[second], acc.win_back_start[second], np.minimum(acc.win_back_end[second], end))
    return tuple(np.concatenate(pair) for pair in zip(s1, s2, strict=False))  # type: ignore[return-value]
