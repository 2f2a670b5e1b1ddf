{#- The observations behind the churn drivers, one row per account and quarter start: the outcome, every
    driver's band (null where the data cannot measure that driver: int_account_quarters_banded), the
    purchase rhythm and tenure at the quarter start, and whether the account was already overdue then by
    the at-risk rule of `accounts` (days since the last purchase day > at_risk_factor x its median gap;
    first buyers: > the 90th percentile of days to a second purchase day). churn_driver_effects is fitted
    on these, and an analyst can slice them. -#}
{%- set lookback = day_count('driver_lookback_months') %}
{%- set factor = validated_setting('at_risk_factor', '^[0-9]+([.][0-9]+)?$', 'a number > 0') %}

with

banded as (
    select * from {{ ref('int_account_quarters_banded') }}
),

gaps as (
    select * from {{ ref('int_purchase_days_gapped') }}
),

second_purchase as (
    select {{ percentile_cont('gap_days', 0.9) }} as p90_days_to_second_purchase
    from gaps
    where purchase_day_rank = 2
),

rhythm as (
    select
        banded.account_id,
        banded.quarter_start,
        count(case
            when gaps.purchase_date >= {{ add_months('banded.quarter_start', -lookback) }}
                then 1
        end) as purchase_days_in_window,
        {{ day_number('banded.quarter_start') }}
        - {{ day_number('max(gaps.purchase_date)') }} as days_since_last_purchase,
        {{ day_number('banded.quarter_start') }}
        - {{ day_number('min(gaps.purchase_date)') }} as tenure_days,
        count(gaps.gap_days) as gaps,
        {{ percentile_cont('gaps.gap_days', 0.5) }} as median_gap_days
    from banded
    inner join gaps
        on
            banded.account_id = gaps.account_id
            and banded.quarter_start > gaps.purchase_date
    group by banded.account_id, banded.quarter_start
),

final as (
    select
        banded.account_id,
        banded.quarter_start,
        banded.stage_at_start,
        banded.became_lost,
        banded.complaint_handling,
        banded.csat,
        banded.contact_persons,
        banded.post_sale_contact,
        banded.discount,
        banded.payment,
        rhythm.purchase_days_in_window,
        rhythm.days_since_last_purchase,
        rhythm.tenure_days,
        rhythm.median_gap_days,
        rhythm.days_since_last_purchase > case
            when rhythm.gaps >= 1 then {{ factor }} * rhythm.median_gap_days
            else second_purchase.p90_days_to_second_purchase
        end as overdue_at_start
    from banded
    inner join rhythm
        on
            banded.account_id = rhythm.account_id
            and banded.quarter_start = rhythm.quarter_start
    cross join second_purchase
)

select * from final
