{#- The observations behind the churn drivers, one row per account and quarter start: the outcome, every
    driver's band (null where the data cannot measure that driver: int_drivers_available), the purchase
    rhythm and tenure at the quarter start, and whether the account was already overdue then by the
    at-risk rule of `accounts` (days since the last purchase day > at_risk_factor x its median gap; first
    buyers: > the 90th percentile of days to a second purchase day). churn_driver_effects is fitted on
    these, and an analyst can slice them. -#}
{%- set lookback = day_count('driver_lookback_months') %}
{%- set factor = validated_setting('at_risk_factor', '^[0-9]+([.][0-9]+)?$', 'a number > 0') %}
{%- set drivers = [
    ('complaint_handling', 'complaint_handling'),
    ('csat', 'csat'),
    ('contact_persons', 'contact_persons_band'),
    ('post_sale_contact', 'post_sale_contact'),
    ('discount', 'discount'),
    ('payment', 'payment'),
] %}

with

account_quarters as (
    select * from {{ ref('int_account_quarters_observed') }}
),

signals as (
    select * from {{ ref('int_driver_signals_measured') }}
),

drivers as (
    select * from {{ ref('int_drivers_available') }}
),

purchase_days as (
    select * from {{ ref('int_purchase_days_aggregated') }}
),

gaps as (
    select
        account_id,
        purchase_date,
        {{ day_number('purchase_date') }}
        - lag({{ day_number('purchase_date') }})
            over (partition by account_id order by purchase_date)
            as gap_days,
        row_number() over (partition by account_id order by purchase_date) as purchase_day_rank
    from purchase_days
),

second_purchase as (
    select {{ percentile_cont('gap_days', 0.9) }} as p90_days_to_second_purchase
    from gaps
    where purchase_day_rank = 2
),

available as (
    select
        {%- for driver, _ in drivers %}
            max(case when driver = '{{ driver }}' and is_available then 1 else 0 end) as {{ driver }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from drivers
),

rhythm as (
    select
        account_quarters.account_id,
        account_quarters.quarter_start,
        count(case
            when purchase_days.purchase_date >= {{ add_months('account_quarters.quarter_start', -lookback) }}
                then 1
        end) as purchase_days_in_window,
        {{ day_number('account_quarters.quarter_start') }}
        - {{ day_number('max(purchase_days.purchase_date)') }} as days_since_last_purchase,
        {{ day_number('account_quarters.quarter_start') }}
        - {{ day_number('min(purchase_days.purchase_date)') }} as tenure_days,
        count(purchase_days.gap_days) as gaps,
        {{ percentile_cont('purchase_days.gap_days', 0.5) }} as median_gap_days
    from account_quarters
    inner join gaps as purchase_days
        on
            account_quarters.account_id = purchase_days.account_id
            and account_quarters.quarter_start > purchase_days.purchase_date
    group by account_quarters.account_id, account_quarters.quarter_start
),

final as (
    select
        account_quarters.account_id,
        account_quarters.quarter_start,
        account_quarters.stage_at_start,
        account_quarters.became_lost,
        {%- for driver, column in drivers %}
            case when available.{{ driver }} = 1 then signals.{{ column }} end as {{ driver }},
        {%- endfor %}
        rhythm.purchase_days_in_window,
        rhythm.days_since_last_purchase,
        rhythm.tenure_days,
        rhythm.median_gap_days,
        rhythm.days_since_last_purchase > case
            when rhythm.gaps >= 1 then {{ factor }} * rhythm.median_gap_days
            else second_purchase.p90_days_to_second_purchase
        end as overdue_at_start
    from account_quarters
    inner join signals
        on
            account_quarters.account_id = signals.account_id
            and account_quarters.quarter_start = signals.measured_on
    inner join rhythm
        on
            account_quarters.account_id = rhythm.account_id
            and account_quarters.quarter_start = rhythm.quarter_start
    cross join available
    cross join second_purchase
)

select * from final
