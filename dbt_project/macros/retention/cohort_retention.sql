{#- Cohort retention cells, long format (cohort_retention, and cohort_retention_by_attribute per group),
    in two steps so a caller can reshape what lies between them.
    cohort_account_periods_ctes: the CTE `account_periods`, one row per account, grain and period from its
    cohort on (snapshot_date: of its last month). `account_months`: a relation with account_id, month,
    snapshot_date, first_purchase_date, n_purchase_days, revenue, is_active_at_month_end and the `carry`
    columns (constant per account, carried along).
    cohort_cells_ctes: the cells of `account_periods` (a relation of that shape, with the `by` columns),
    CTEs ending in `final`. `as_of`: a relation with as_of_date. -#}
{% macro cohort_account_periods_ctes(account_months, carry=[]) -%}
    {%- set grains = ['month', 'quarter'] -%}
    {%- set c_ = (carry | join(', ')) ~ ', ' if carry else '' -%}
buyer_months as (
    {%- for grain in grains %}
        select
            {{ c_ }}'{{ grain }}' as period_grain,
            account_id,
            {{ period_start(grain, 'first_purchase_date') }} as cohort,
            {{ period_start(grain, 'month') }} as period_start,
            n_purchase_days,
            revenue,
            is_active_at_month_end,
            month,
            snapshot_date
        from {{ account_months }}
        where first_purchase_date is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

account_periods as (
    select
        {{ c_ }}period_grain,
        account_id,
        cohort,
        period_start,
        max(case when n_purchase_days > 0 then 1 else 0 end) as is_purchasing,
        -- active at the period's last month that has happened (the period end, or the as-of month); an
        -- aggregate, not a ranking window, which would rank every account month
        max_by(case when is_active_at_month_end then 1 else 0 end, month) as is_retained,
        sum(revenue) as revenue,
        max(snapshot_date) as snapshot_date
    from buyer_months
    where period_start >= cohort
    group by {{ c_ }}period_grain, account_id, cohort, period_start
)
{%- endmacro %}

{% macro cohort_cells_ctes(account_periods, as_of, by=[]) -%}
    {%- set g_ = (by | join(', ')) ~ ', ' if by else '' -%}
counted as (
    select
        {{ g_ }}period_grain,
        cohort,
        period_start,
        count(*) as cohort_size,
        cast(sum(is_purchasing) as bigint) as active_accounts,
        cast(sum(is_retained) as bigint) as retained_accounts,
        sum(revenue) as revenue
    from {{ account_periods }}
    group by {{ g_ }}period_grain, cohort, period_start
),

cells as (
    select
        *,
        sum(case when period_start = cohort then revenue end) over (
            partition by {{ g_ }}period_grain, cohort
        ) as period_zero_revenue
    from counted
),

final as (
    select
        {{ group_columns(by, 'cells') }}cells.period_grain,
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
            partition by {{ group_columns(by, 'cells') }}cells.period_grain, cells.cohort
            order by cells.period_start
            rows between unbounded preceding and current row
        ) as cumulative_revenue,
        cast(cells.active_accounts as double) / cells.cohort_size as active_rate,
        cast(cells.retained_accounts as double) / cells.cohort_size as retained_rate,
        case
            when cells.period_zero_revenue <> 0 then cast(cells.revenue as double) / cells.period_zero_revenue
        end as revenue_retention_rate,
        '{{ reporting_currency() }}' as reporting_currency,
        case
            when cells.period_grain = 'quarter' then {{ dbt.last_day('cells.period_start', 'quarter') }}
            else {{ dbt.last_day('cells.period_start', 'month') }}
        end <= {{ as_of }}.as_of_date as is_complete
    from cells
    cross join {{ as_of }}
)
{%- endmacro %}
