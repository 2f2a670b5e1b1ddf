"""Vectorised event generation: every stream is built as flat numpy columns, never one event at a time.

Columns use integer codes (-1 = absent); `render.py` turns them into contract text columns.
"""

from __future__ import annotations

import numpy as np

from pipelines.contract import STREAMS
from pipelines.simulator.accounts import DAYS_PER_YEAR, Accounts, _choice, buying_spells
from pipelines.simulator.params import SimulationParams

Frame = dict[str, np.ndarray]

SALES_TYPES = {t: i for i, t in enumerate(STREAMS["sales"].event_types)}
SERVICE_TYPES = {t: i for i, t in enumerate(STREAMS["service"].event_types)}
CONTACT_TYPES = {t: i for i, t in enumerate(STREAMS["contact"].event_types)}
CANCEL_REASONS = ("customer changed plans", "duplicate order", "delivery date not acceptable")
CREDIT_REASONS = ("damaged goods", "price correction", "partial return")


def _poisson_points(
    rng: np.random.Generator,
    owner: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    rate_per_day: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """Points of a Poisson process on [lo, hi) per owner: (owner of each point, time of each point)."""
    length = np.maximum(hi - lo, 0.0)
    counts = rng.poisson(length * rate_per_day)
    who = np.repeat(np.arange(len(owner)), counts)
    times = lo[who] + rng.uniform(size=who.size) * length[who]
    return owner[who], times


def _concat(parts: list[Frame]) -> Frame:
    keys = parts[0].keys()
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def _frame(n: int, **cols: np.ndarray | float) -> Frame:
    return {k: (np.full(n, v) if np.isscalar(v) else np.asarray(v)) for k, v in cols.items()}


def _without_long_pauses(spell: np.ndarray, t: np.ndarray, max_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Halve every pause between orders of one spell longer than `max_days` (a few halvings at most): a
    buying account silent for longer than the lifecycle rules allow would read as a loss and a win-back
    that were never planted."""
    while True:
        order = np.lexsort((t, spell))
        spell, t = spell[order], t[order]
        gap = np.diff(t)
        long = (spell[1:] == spell[:-1]) & (gap > max_days)
        if not long.any():
            return spell, t
        spell = np.concatenate([spell, spell[:-1][long]])
        t = np.concatenate([t, t[:-1][long] + gap[long] / 2])


def sales_events(rng: np.random.Generator, p: SimulationParams, acc: Accounts, end: float) -> Frame:
    sp_acct, sp_lo, sp_hi = buying_spells(acc, end)
    spell = np.arange(sp_acct.size)
    # The first order opens each spell; the rest follow the account's personal cadence.
    extra_spell, extra_t = _poisson_points(rng, spell, sp_lo, sp_hi, 1.0 / acc.mean_gap_days[sp_acct])
    o_spell = np.concatenate([spell, extra_spell])
    o_t = np.concatenate([sp_lo, extra_t])
    o_spell, o_t = _without_long_pauses(o_spell, o_t, p.max_pause_days)
    o_acct = sp_acct[o_spell]
    order = np.lexsort((o_t, o_acct))
    o_acct, o_t = o_acct[order], o_t[order]
    n = o_acct.size
    o_id = np.arange(n, dtype=np.int64)

    gross = np.round(acc.amount_scale[o_acct] * rng.lognormal(0.0, p.order_amount_order_sigma, n) * 100)
    bands = list(p.discount_band_mix)
    lo_rate = np.array([p.discount_rate_range[b][0] for b in bands])[acc.discount_band[o_acct]]
    hi_rate = np.array([p.discount_rate_range[b][1] for b in bands])[acc.discount_band[o_acct]]
    discount = np.round(gross * rng.uniform(lo_rate, hi_rate + 1e-12)).astype(np.int64)
    net = np.maximum(gross.astype(np.int64) - discount, 100)
    cur = acc.currency[o_acct]
    terms = np.array(p.payment_terms_days)[rng.integers(0, len(p.payment_terms_days), n)]
    rep = acc.rep[o_acct]

    none = np.full(n, -1)
    placed = _frame(
        n,
        t=o_t,
        type=SALES_TYPES["order_placed"],
        account=o_acct,
        order=o_id,
        invoice=none,
        amount=net,
        currency=cur,
        discount=discount,
        terms=terms,
        rep=rep,
        reason=none,
    )

    cancelled = rng.uniform(size=n) < p.p_cancel
    c = np.flatnonzero(cancelled)
    cancels = _frame(
        c.size,
        t=o_t[c] + rng.uniform(0.1, 5.0, c.size),
        type=SALES_TYPES["order_cancelled"],
        account=o_acct[c],
        order=o_id[c],
        invoice=-1,
        amount=-1,
        currency=-1,
        discount=-1,
        terms=-1,
        rep=rep[c],
        reason=rng.integers(0, len(CANCEL_REASONS), c.size),
    )

    i = np.flatnonzero(~cancelled)
    inv_t = o_t[i] + rng.uniform(0.0, 7.0, i.size)
    invoices = _frame(
        i.size,
        t=inv_t,
        type=SALES_TYPES["invoice_issued"],
        account=o_acct[i],
        order=o_id[i],
        invoice=o_id[i],
        amount=net[i],
        currency=cur[i],
        discount=discount[i],
        terms=terms[i],
        rep=rep[i],
        reason=-1,
    )

    cn = rng.uniform(size=i.size) < p.p_credit_note
    k = i[cn]
    credits = _frame(
        k.size,
        t=inv_t[cn] + rng.uniform(10.0, 60.0, k.size),
        type=SALES_TYPES["credit_note_issued"],
        account=o_acct[k],
        order=o_id[k],
        invoice=o_id[k],
        amount=np.maximum(np.round(net[k] * rng.uniform(0.1, 1.0, k.size)).astype(np.int64), 1),
        currency=cur[k],
        discount=-1,
        terms=-1,
        rep=rep[k],
        reason=rng.integers(0, 3, k.size),
    )

    paid = rng.uniform(size=i.size) < p.p_paid
    j = i[paid]
    lateness = np.where(
        acc.late_payer[o_acct[j]], rng.uniform(5.0, 60.0, j.size), rng.uniform(-5.0, 2.0, j.size)
    )
    pay_t = inv_t[paid] + np.maximum(terms[j] + lateness, 0.5)
    payments = _frame(
        j.size,
        t=pay_t,
        type=SALES_TYPES["payment_received"],
        account=o_acct[j],
        order=o_id[j],
        invoice=o_id[j],
        amount=net[j],
        currency=cur[j],
        discount=-1,
        terms=-1,
        rep=-1,
        reason=-1,
    )

    return _concat([placed, cancels, invoices, credits, payments])


def service_events(rng: np.random.Generator, p: SimulationParams, acc: Accounts, end: float) -> Frame:
    sp_acct, sp_lo, sp_hi = buying_spells(acc, end)
    # Tickets come while an account buys and for a quarter after; a few prospects ask questions too.
    t_acct, t_open = _poisson_points(
        rng, sp_acct, sp_lo, np.minimum(sp_hi + 90.0, end), p.tickets_per_year / DAYS_PER_YEAR
    )
    prospects = np.flatnonzero(~acc.converted & (rng.uniform(size=len(acc)) < 0.1))
    pr_t = acc.created[prospects] + rng.uniform(1.0, 60.0, prospects.size)
    n_main = t_acct.size
    t_acct = np.concatenate([t_acct, prospects])
    t_open = np.concatenate([t_open, pr_t])
    n = t_acct.size
    ticket = np.arange(n, dtype=np.int64)
    category = _choice(rng, p.ticket_category_mix, n)
    category[n_main:] = list(p.ticket_category_mix).index("question")
    severity = rng.choice(3, size=n, p=[0.3, 0.5, 0.2])
    agent = rng.integers(0, p.n_agents, n)

    handling = np.array(list(p.complaint_handling_mix))[acc.complaint_handling[t_acct]]
    is_complaint = category == list(p.ticket_category_mix).index("complaint")
    delay = rng.uniform(0.05, 5.0, n)
    delay = np.where(is_complaint & (handling == "good"), rng.uniform(0.1, 3.0, n), delay)
    delay = np.where(is_complaint & (handling == "slow"), rng.uniform(10.0, 45.0, n), delay)
    resolved = ~(is_complaint & (handling == "unresolved"))
    res_t = t_open + delay

    none = np.full(n, -1)
    opened = _frame(
        n,
        t=t_open,
        type=SERVICE_TYPES["ticket_opened"],
        account=t_acct,
        ticket=ticket,
        category=category,
        severity=severity,
        csat=none,
        agent=agent,
    )
    r = np.flatnonzero(resolved)
    resolutions = _frame(
        r.size,
        t=res_t[r],
        type=SERVICE_TYPES["ticket_resolved"],
        account=t_acct[r],
        ticket=ticket[r],
        category=-1,
        severity=-1,
        csat=-1,
        agent=agent[r],
    )
    reopened = r[rng.uniform(size=r.size) < p.p_ticket_reopened]
    reo_t = res_t[reopened] + rng.uniform(1.0, 10.0, reopened.size)
    reopens = _frame(
        reopened.size,
        t=reo_t,
        type=SERVICE_TYPES["ticket_reopened"],
        account=t_acct[reopened],
        ticket=ticket[reopened],
        category=-1,
        severity=-1,
        csat=-1,
        agent=agent[reopened],
    )
    re_resolved = _frame(
        reopened.size,
        t=reo_t + delay[reopened],
        type=SERVICE_TYPES["ticket_resolved"],
        account=t_acct[reopened],
        ticket=ticket[reopened],
        category=-1,
        severity=-1,
        csat=-1,
        agent=agent[reopened],
    )

    rated = np.flatnonzero(rng.uniform(size=n) < p.p_satisfaction_rated)
    rate_t = np.where(resolved[rated], res_t[rated] + rng.uniform(0.1, 3.0, rated.size), t_open[rated] + 30.0)
    h = handling[rated]
    compl = is_complaint[rated]
    csat = rng.choice([3, 4, 5], size=rated.size, p=[0.2, 0.4, 0.4])
    csat = np.where(compl & (h == "good"), rng.choice([4, 5], size=rated.size), csat)
    csat = np.where(compl & (h == "slow"), rng.choice([2, 3], size=rated.size), csat)
    csat = np.where(compl & (h == "unresolved"), rng.choice([1, 2], size=rated.size), csat)
    ratings = _frame(
        rated.size,
        t=rate_t,
        type=SERVICE_TYPES["satisfaction_rated"],
        account=t_acct[rated],
        ticket=ticket[rated],
        category=-1,
        severity=-1,
        csat=csat,
        agent=agent[rated],
    )

    return _concat([opened, resolutions, reopens, re_resolved, ratings])


def contact_events(rng: np.random.Generator, p: SimulationParams, acc: Accounts, end: float) -> Frame:
    n_acc = len(acc)
    idx = np.arange(n_acc)
    leads = _frame(
        n_acc,
        t=acc.created,
        type=CONTACT_TYPES["lead_created"],
        account=idx,
        person=0,
        rep=acc.rep,
        direction=0,
        **NO_ATTRIBUTES,
    )

    # Pre-sale touches between lead and first order (or a few months of prospecting for non-buyers).
    presale_end = np.where(acc.converted, acc.first_order, np.minimum(acc.created + 120.0, end))
    pre_acct, pre_t = _poisson_points(
        rng,
        idx,
        acc.created,
        presale_end,
        p.presale_touches_mean / np.maximum(presale_end - acc.created, 1.0),
    )
    # Post-sale care: only accounts with post-sale contact get it, while they buy.
    sp_acct, sp_lo, sp_hi = buying_spells(acc, end)
    keep = acc.post_sale_contact[sp_acct]
    post_acct, post_t = _poisson_points(
        rng, sp_acct[keep], sp_lo[keep] + 1.0, sp_hi[keep], p.post_sale_contacts_per_year / DAYS_PER_YEAR
    )
    t_acct = np.concatenate([pre_acct, post_acct])
    n = t_acct.size
    kinds = np.array([CONTACT_TYPES[k] for k in ("call", "email", "meeting", "visit")])
    is_post = np.arange(n) >= pre_acct.size
    kind = np.where(
        is_post,
        kinds[rng.choice(4, size=n, p=[0.35, 0.35, 0.2, 0.1])],
        kinds[rng.choice(3, size=n, p=[0.4, 0.4, 0.2])],
    )
    person = (rng.uniform(size=n) * acc.n_contact_persons[t_acct]).astype(np.int64)
    touches = _frame(
        n,
        t=np.concatenate([pre_t, post_t]),
        type=kind,
        account=t_acct,
        person=person,
        rep=acc.rep[t_acct],
        direction=(rng.uniform(size=n) < 0.3).astype(np.int64),
        **NO_ATTRIBUTES,
    )
    return _concat([leads, touches, *_win_back_contacts(p, acc, end), *_account_updates(acc)])


# contact columns that only account_updated events carry (-1: absent)
NO_ATTRIBUTES = dict.fromkeys(("name", "segment", "industry", "region", "country", "employees", "owner"), -1)


def _win_back_contacts(p: SimulationParams, acc: Accounts, end: float) -> list[Frame]:
    """Calls from the owner after the loss to the accounts planted as contacted (acc.win_back_contacted),
    spread so that one falls within 90 days after the loss the lifecycle rules see."""
    lost = np.flatnonzero(acc.win_back_contacted & (acc.loss_at < end))
    frames = []
    for days in p.win_back_contact_days:
        frames.append(
            _frame(
                lost.size,
                t=acc.loss_at[lost] + days,
                type=CONTACT_TYPES["call"],
                account=lost,
                person=0,
                rep=acc.rep[lost],
                direction=0,
                **NO_ATTRIBUTES,
            )
        )
    return frames


def _account_updates(acc: Accounts) -> list[Frame]:
    """The CRM's account master: every attribute a day after the lead, then the segment moves."""
    n = len(acc)
    idx = np.arange(n)
    created = _frame(
        n,
        t=acc.created + 1.0,
        type=CONTACT_TYPES["account_updated"],
        account=idx,
        person=-1,
        rep=-1,
        direction=-1,
        name=acc.number,
        segment=acc.segment,
        industry=acc.industry,
        region=acc.region,
        country=np.where(acc.region < 0, -1, acc.country),
        employees=acc.employees,
        owner=acc.rep,
    )
    who, when, segment = acc.segment_changes
    moves = _frame(
        who.size,
        t=when,
        type=CONTACT_TYPES["account_updated"],
        account=who,
        person=-1,
        rep=-1,
        direction=-1,
        **(NO_ATTRIBUTES | {"segment": segment}),
    )
    return [created, moves]


GENERATORS = {"sales": sales_events, "service": service_events, "contact": contact_events}
