{#- The leaky bucket per month: active accounts (a buying stage) at the start and end of the month and the
    transitions that move the count. Flows are counted from lifecycle_transitions, the closing count from
    account_months, so the identity opening + new + won_back - lost = closing compares two computations
    (test assert_rollforward_balances). lost_ttm_revenue: what the month's losses brought in their last year
    as customers (lifecycle_transitions.lost_ttm_revenue; test assert_lost_revenue_reconciles). -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

transitions as (
    select * from {{ ref('lifecycle_transitions') }}
),

account_months as (
    select * from {{ ref('account_months') }}
),

months as (
    select
        month,
        max(snapshot_date) as snapshot_date,
        count(case when is_active_at_month_end then 1 end) as closing_active
    from account_months
    group by month
),

flows as (
    select
        {{ period_start('month', 'changed_on') }} as month,
        {{ rollforward_flows() }}
    from transitions
    group by {{ period_start('month', 'changed_on') }}
),

final as (
    select
        months.month,
        coalesce(lag(months.closing_active) over (order by months.month), 0) as opening_active,
        coalesce(flows.new_accounts, 0) as new_accounts,
        coalesce(flows.won_back_accounts, 0) as won_back_accounts,
        coalesce(flows.lost_accounts, 0) as lost_accounts,
        months.closing_active,
        coalesce(flows.lost_ttm_revenue, cast(0 as decimal(38, 4))) as lost_ttm_revenue,
        months.snapshot_date as closing_date,
        {{ dbt.last_day('months.month', 'month') }} <= as_of.as_of_date as is_complete
    from months
    cross join as_of
    left join flows on months.month = flows.month
)

select * from final
