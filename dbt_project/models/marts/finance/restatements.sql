{#- Every published figure of a closed month that differs from the same figure now, by how much, and the
    late events that can have caused it. A figure compares with the latest close of its month (a reopened
    month is compared with its newest version). A late event arrived after the close's arrival-day cut-off
    and occurred on or before the month's end; it relates to a figure as
    follows: revenue_ledger - invoices and credit notes booked in the month in the figure's currency;
    revenue_by_lifecycle - those, and any order placed or cancelled (it can move a line between classes);
    customer_base_rollforward - orders placed or cancelled; revenue_retention - any of those sales events.
    A difference with no late event comes from a re-delivered day (or an earlier day first loaded after the
    close), changed FX rates or changed settings. -#}
with

closes as (
    select * from {{ ref('stg_finance__month_closes') }}
),

published as (
    select * from {{ ref('stg_finance__published_figures') }}
),

current_figures as (
    select * from {{ ref('int_finance_figures_unpivoted') }}
),

sales as (
    select * from {{ ref('stg_sales__events') }}
),

latest_closes as (
    select *
    from (
        select
            *,
            row_number() over (partition by month order by close_version desc) as recency
        from closes
    ) as ranked
    where recency = 1
),

published_now as (
    select published.*
    from published
    inner join latest_closes on published.close_id = latest_closes.close_id
),

current_in_closed_months as (
    select current_figures.*
    from current_figures
    inner join latest_closes on current_figures.month = latest_closes.month
),

differences as (
    select
        coalesce(published_now.month, current_in_closed_months.month) as month,
        coalesce(published_now.figure_key, current_in_closed_months.figure_key) as figure_key,
        coalesce(published_now.mart, current_in_closed_months.mart) as mart,
        coalesce(published_now.measure, current_in_closed_months.measure) as measure,
        coalesce(published_now.currency, current_in_closed_months.currency) as currency,
        coalesce(published_now.revenue_class, current_in_closed_months.revenue_class) as revenue_class,
        published_now.published_value,
        current_in_closed_months.value as current_value,
        coalesce(current_in_closed_months.value, 0) - coalesce(published_now.published_value, 0) as difference
    from published_now
    full outer join current_in_closed_months
        on
            published_now.month = current_in_closed_months.month
            and published_now.figure_key = current_in_closed_months.figure_key
    where
        published_now.figure_key is null
        or current_in_closed_months.figure_key is null
        or published_now.published_value <> current_in_closed_months.value
),

restated as (
    select
        differences.*,
        latest_closes.close_id,
        latest_closes.close_version,
        latest_closes.closed_at,
        latest_closes.arrival_cutoff
    from differences
    inner join latest_closes on differences.month = latest_closes.month
),

late_events as (
    select
        restated.close_id,
        restated.figure_key,
        sales.event_id
    from restated
    inner join sales
        on
            sales.occurred_on <= {{ dbt.last_day('restated.month', 'month') }}
            and restated.arrival_cutoff < sales.arrival_date
    where
        case
            when sales.event_type in ('invoice_issued', 'credit_note_issued')
                then
                    restated.mart = 'revenue_retention'
                    or (
                        restated.mart in ('revenue_ledger', 'revenue_by_lifecycle')
                        and {{ period_start('month', 'sales.occurred_on') }} = restated.month
                        and sales.currency = restated.currency
                    )
            when sales.event_type in ('order_placed', 'order_cancelled')
                then restated.mart <> 'revenue_ledger'
            else false
        end
),

causes as (
    select
        close_id,
        figure_key,
        count(*) as late_events,
        {{ sorted_list('event_id', 20) }} as late_event_ids
    from late_events
    group by close_id, figure_key
),

final as (
    select
        restated.month,
        restated.mart,
        restated.measure,
        restated.currency,
        restated.revenue_class,
        restated.figure_key,
        restated.published_value,
        restated.current_value,
        restated.difference,
        coalesce(causes.late_events, 0) as late_events,
        causes.late_event_ids,
        case
            when causes.late_events > 0 then 'late events'
            else 'no late event: a re-delivered or back-filled day, FX rates or settings changed'
        end as cause,
        restated.close_id,
        restated.close_version,
        restated.closed_at,
        restated.arrival_cutoff
    from restated
    left join causes on restated.close_id = causes.close_id and restated.figure_key = causes.figure_key
)

select * from final
