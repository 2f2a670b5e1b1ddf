"""The simulator's behavioural parameters: the ground truth later analyses must recover.

Everything here is written to the sidecar `landing/_simulation/parameters.json`, so a test can compare what
an analysis finds (e.g. churn drivers) with what was planted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SimulationParams:
    # Funnel
    p_convert: float = 0.55  # share of leads that ever buy
    lead_to_first_order_mean_days: float = 45.0
    presale_touches_mean: float = 4.0  # calls/emails/meetings before the first order

    # Buying behaviour (personal cadence: Poisson process with a per-account mean gap)
    gap_median_days: float = 40.0
    gap_sigma: float = 0.6
    gap_min_days: float = 7.0
    gap_max_days: float = 150.0
    max_pause_days: float = 300.0  # a longer pause within a buying spell is split (lost_after_days is 365)
    order_amount_median: float = 1800.0
    order_amount_account_sigma: float = 1.0
    order_amount_order_sigma: float = 0.3
    currency_mix: dict[str, float] = field(
        default_factory=lambda: {"EUR": 0.55, "PLN": 0.25, "USD": 0.12, "GBP": 0.08}
    )
    payment_terms_days: tuple[int, ...] = (14, 30, 60)
    p_cancel: float = 0.05
    p_credit_note: float = 0.05
    p_paid: float = 0.97
    p_late_payer: float = 0.2  # accounts that pay 5..60 days after the due date

    # Loss: yearly hazard of stopping to buy, times the multipliers of the account's latent drivers.
    base_yearly_loss_hazard: float = 0.22
    loss_multiplier: dict[str, float] = field(
        default_factory=lambda: {
            "complaints_slow": 2.0,
            "complaints_unresolved": 3.0,
            "single_contact_person": 2.2,
            "no_post_sale_contact": 1.8,
            "discount_none": 1.0,
            "discount_low": 1.0,
            "discount_high": 1.0,  # planted: discount level has no effect on loss
        }
    )
    p_win_back: float = 0.10  # lost accounts not contacted after the loss that start buying again
    p_win_back_contact: float = 0.5  # lost accounts a rep contacts after the loss
    win_back_contact_multiplier: float = 2.0  # planted: a win-back contact doubles the chance of coming back
    win_back_contact_days: tuple[float, ...] = (300.0, 340.0, 380.0)  # after loss_at (the loss is seen ~365)
    win_back_delay_days: tuple[float, float] = (420.0, 800.0)
    win_back_spell_mean_days: float = 300.0

    # Latent drivers
    p_single_contact_person: float = 0.3
    max_contact_persons: int = 6
    p_post_sale_contact: float = 0.6
    complaint_handling_mix: dict[str, float] = field(
        default_factory=lambda: {"good": 0.55, "slow": 0.30, "unresolved": 0.15}
    )
    discount_band_mix: dict[str, float] = field(
        default_factory=lambda: {"none": 0.40, "low": 0.35, "high": 0.25}
    )
    discount_rate_range: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"none": (0.0, 0.0), "low": (0.02, 0.06), "high": (0.10, 0.20)}
    )

    # Service and contact
    tickets_per_year: float = 3.0
    ticket_category_mix: dict[str, float] = field(
        default_factory=lambda: {"complaint": 0.25, "question": 0.35, "incident": 0.2, "request": 0.2}
    )
    p_ticket_reopened: float = 0.08
    p_satisfaction_rated: float = 0.6
    post_sale_contacts_per_year: float = 8.0
    n_reps: int = 40
    n_agents: int = 25

    # Account master (account_updated events) and the sales team. Each account's segment multiplies its
    # loss hazard (planted: enterprise lower); farmer reps own the accounts with post-sale contact, hunter
    # reps the others. An account may move segment (hazard stays that of its first segment).
    segment_mix: dict[str, float] = field(
        default_factory=lambda: {"enterprise": 0.2, "mid_market": 0.35, "smb": 0.45}
    )
    segment_loss_multiplier: dict[str, float] = field(
        default_factory=lambda: {"enterprise": 0.6, "mid_market": 1.0, "smb": 1.25}
    )
    segment_employees: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {"enterprise": (1000, 20000), "mid_market": (100, 999), "smb": (5, 99)}
    )
    industry_mix: dict[str, float] = field(
        default_factory=lambda: {
            "manufacturing": 0.3,
            "wholesale": 0.25,
            "logistics": 0.2,
            "construction": 0.15,
            "healthcare": 0.1,
        }
    )
    region_countries: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "dach": ("DE", "AT", "CH"),
            "cee": ("PL", "CZ", "SK"),
            "benelux": ("NL", "BE", "LU"),
            "nordics": ("SE", "DK", "NO"),
        }
    )
    p_attribute_unset: float = 0.05  # accounts whose CRM record never sets industry, or region and country
    segment_changes_per_year: float = 0.05
    farmer_rep_share: float = 0.6  # the first share of the reps are farmers

    # Arrival: most events land on their event day; some arrive late.
    p_late_arrival: float = 0.03
    late_arrival_max_days: int = 30
    p_offset_timestamp: float = 0.2  # written with a +01:00/+02:00 offset instead of Z

    def to_dict(self) -> dict:
        return asdict(self)


# Documented fault rates (per event of a stream where the fault applies), used with --faults.
FAULT_RATES: dict[str, float] = {
    "duplicate_exact": 0.004,
    "conflicting_event_id": 0.001,
    "missing_required_field": 0.0005,
    "bad_timestamp": 0.0005,
    "unknown_event_type": 0.0005,
    "negative_amount": 0.0005,
    "bad_currency": 0.0005,
    "wrong_type": 0.0005,
    "malformed_line": 0.0003,
}
# Which streams each fault applies to (amount/currency live on sales; numeric fields on sales and service).
FAULT_STREAMS: dict[str, tuple[str, ...]] = {
    "duplicate_exact": ("sales", "service", "contact"),
    "conflicting_event_id": ("sales", "service", "contact"),
    "missing_required_field": ("sales", "service", "contact"),
    "bad_timestamp": ("sales", "service", "contact"),
    "unknown_event_type": ("sales", "service", "contact"),
    "negative_amount": ("sales",),
    "bad_currency": ("sales",),
    "wrong_type": ("sales", "service"),
    "malformed_line": ("sales", "service", "contact"),  # text formats only (JSON Lines, CSV)
}
EXTRA_COLUMN = ("contact", "source_system", "crm-legacy")  # stream, column, value
