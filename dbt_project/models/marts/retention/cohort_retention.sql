{#- Cohort retention, long format: one row per cohort x period, for monthly and quarterly cohorts. A cohort
    is the accounts whose first purchase day falls in a period; period_number 0 is that period. Cells run
    to the as-of period and no further (a future cell is absent, never zero). Built on account_months, so
    "active" and "retained" use the lifecycle engine's purchase days and stages. Revenue an account booked
    before its cohort period (an invoice ahead of the first order) is in no cell: revenue_by_lifecycle has
    it as class before_first_purchase. -#}
{%- set grains = ['month', 'quarter'] %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

account_months as (
    select * from {{ ref('account_months') }}
),

buyer_months as (
    {%- for grain in grains %}
        select
            '{{ grain }}' as period_grain,
            account_id,
            {{ period_start(grain, 'first_purchase_date') }} as cohort,
            {{ period_start(grain, 'month') }} as period_start,
            n_purchase_days,
            revenue,
            is_active_at_month_end,
            month
        from account_months
        where first_purchase_date is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

account_periods as (
    select
        period_grain,
        account_id,
        cohort,
        period_start,
        max(case when n_purchase_days > 0 then 1 else 0 end) as is_purchasing,
        -- active at the period's last month that has happened (the period end, or the as-of month); an
        -- aggregate, not a ranking window, which would rank every account month
        max_by(case when is_active_at_month_end then 1 else 0 end, month) as is_retained,
        sum(revenue) as revenue
    from buyer_months
    where period_start >= cohort
    group by period_grain, account_id, cohort, period_start
),

cells as (
    select
        period_grain,
        cohort,
        period_start,
        count(*) as cohort_size,
        cast(sum(is_purchasing) as bigint) as active_accounts,
        cast(sum(is_retained) as bigint) as retained_accounts,
        sum(revenue) as revenue
    from account_periods
    group by period_grain, cohort, period_start
),

final as (
    select
        cells.period_grain,
        cells.cohort,
        cells.period_start,
        cast(
            -- parenthesised: Spark's datediff renders as a sum, which the division would split
            ({{ dbt.datediff('cells.cohort', 'cells.period_start', 'month') }})
            / case when cells.period_grain = 'quarter' then 3 else 1 end
            as integer
        ) as period_number,
        cells.cohort_size,
        cells.active_accounts,
        cells.retained_accounts,
        cells.revenue,
        sum(cells.revenue) over (
            partition by cells.period_grain, cells.cohort order by cells.period_start
            rows between unbounded preceding and current row
        ) as cumulative_revenue,
        cast(cells.active_accounts as double) / cells.cohort_size as active_rate,
        cast(cells.retained_accounts as double) / cells.cohort_size as retained_rate,
        '{{ reporting_currency() }}' as reporting_currency,
        case
            when cells.period_grain = 'quarter' then {{ dbt.last_day('cells.period_start', 'quarter') }}
            else {{ dbt.last_day('cells.period_start', 'month') }}
        end <= as_of.as_of_date as is_complete
    from cells
    cross join as_of
)

select * from final
