{#- Account x calendar month, from the month of the account's first event to the as-of month: the stage at
    month end (at the as-of date for the running month), purchases and revenue booked in the month. The base
    for custom BI charts, cohort_retention and revenue_retention.
    Incremental as stage_snapshot_monthly is (macros/incremental/touched_accounts.sql). -#}
{{ incremental_by_account(
    pre_hook="{{ delete_touched_accounts_and_changed_months() }}", on_schema_change='append_new_columns',
    by_period=true,
) }}
{%- set open_month = open_month_move() %}

with

snapshot as (
    select * from {{ ref('stage_snapshot_monthly') }}
    where {{ touched_accounts_or_changed_periods(
        'account_id', 'month >= ' ~ changed_months_start() if is_incremental() and not open_month, open_month
    ) }}
),

-- the recomputed accounts' only when the open month moves; else every account's: an untouched account's
-- rewritten months need its first purchase day, which lies before them
purchase_days as (
    select * from {{ ref('int_purchase_days_aggregated') }}
    {%- if open_month %}
        where {{ touched_accounts_only('account_id', restaged=true) }}
    {%- endif %}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
    {%- if open_month %}
        where {{ touched_accounts_only('account_id', restaged=true) }}
    {%- endif %}
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
