{#- Account x calendar month, from the month of the account's first event to the as-of month: the stage at
    month end (at the as-of date for the running month), purchases and revenue booked in the month. The base
    for custom BI charts, cohort_retention and revenue_retention.
    Incremental as stage_snapshot_monthly is: the touched accounts' months and every account's changed
    months (macros/incremental/touched_accounts.sql). -#}
{{ incremental_by_account(
    pre_hook="{{ delete_touched_accounts_and_changed_months() }}", on_schema_change='append_new_columns'
) }}
-- depends_on: {{ ref('int_as_of_date_resolved') }}
with

snapshot as (
    select * from {{ ref('stage_snapshot_monthly') }}
    where {{ touched_accounts_or_changed_months('account_id', 'month') }}
),

purchase_days as (
    select * from {{ ref('int_purchase_days_aggregated') }}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
),

first_purchases as (
    select
        account_id,
        min(purchase_date) as first_purchase_date
    from purchase_days
    group by account_id
),

purchases_per_month as (
    select
        account_id,
        {{ period_start('month', 'purchase_date') }} as month,
        count(*) as n_purchase_days,
        cast(sum(n_orders) as bigint) as n_orders
    from purchase_days
    group by account_id, {{ period_start('month', 'purchase_date') }}
),

revenue_per_month as (
    select
        account_id,
        {{ period_start('month', 'booked_on') }} as month,
        {{ sum_money('amount_reporting') }} as revenue
    from revenue_lines
    group by account_id, {{ period_start('month', 'booked_on') }}
),

final as (
    select
        snapshot.account_id,
        snapshot.month,
        snapshot.stage as stage_at_month_end,
        snapshot.is_active as is_active_at_month_end,
        coalesce(purchases_per_month.n_purchase_days, 0) as n_purchase_days,
        coalesce(purchases_per_month.n_orders, 0) as n_orders,
        coalesce(revenue_per_month.revenue, 0) as revenue,
        '{{ reporting_currency() }}' as reporting_currency,
        first_purchases.first_purchase_date,
        snapshot.snapshot_date,
        snapshot.is_complete
    from snapshot
    left join first_purchases on snapshot.account_id = first_purchases.account_id
    left join purchases_per_month
        on
            snapshot.account_id = purchases_per_month.account_id
            and snapshot.month = purchases_per_month.month
    left join revenue_per_month
        on
            snapshot.account_id = revenue_per_month.account_id
            and snapshot.month = revenue_per_month.month
)

select * from final
