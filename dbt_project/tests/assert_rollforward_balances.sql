{{ config(
    store_failures=true, severity='error', meta={'dagster': {'ref': {'name': 'customer_base_rollforward'}}}
) }}
-- The leaky bucket balances every month: flows counted from transitions move the opening count to the
-- closing count counted from month-end stages; opening is the previous closing; new accounts are the
-- accounts whose first purchase day is in the month (from the purchase days, as the accounts mart counts
-- them: the load builds that mart after the purchase forecasts, later than the rollforward).
with

rollforward as (
    select * from {{ ref('customer_base_rollforward') }}
),

purchase_days as (
    select * from {{ ref('int_purchase_days_aggregated') }}
),

accounts as (
    select
        account_id,
        min(purchase_date) as first_purchase_date
    from purchase_days
    group by account_id
),

balanced as (
    select
        month,
        opening_active + new_accounts + won_back_accounts - lost_accounts as value
    from rollforward
),

closing as (
    select
        month,
        closing_active as value
    from rollforward
),

opening as (
    select
        month,
        opening_active as value
    from rollforward
),

previous_closing as (
    select
        month,
        coalesce(lag(closing_active) over (order by month), 0) as value
    from rollforward
),

new_per_month as (
    select
        month,
        new_accounts as value
    from rollforward
),

first_purchases as (
    select
        {{ period_start('month', 'first_purchase_date') }} as month,
        count(*) as value
    from accounts
    where first_purchase_date is not null
    group by {{ period_start('month', 'first_purchase_date') }}
)

{{ reconciliation_failures(
    'opening + new + won_back - lost vs closing_active',
    'balanced', 'closing', ['month']) }}
union all
{{ reconciliation_failures(
    'opening_active vs previous closing_active',
    'opening', 'previous_closing', ['month']) }}
union all
{{ reconciliation_failures(
    'new_accounts vs first purchase days in accounts',
    'new_per_month', 'first_purchases', ['month']) }}
