{#- The revenue ledger per month and currency: invoices and credit notes summed straight from the staged
    sales events, independently of the lifecycle models, so that revenue_by_lifecycle, account_months,
    cohort_retention and revenue_retention are reconciled against a second computation. Lines are
    converted one by one (rounded half-even to 4 decimals) before they are summed, as everywhere. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

sales as (
    select * from {{ ref('stg_sales__events') }}
),

rates as (
    select * from {{ ref('int_fx_rates_completed') }}
),

lines as (
    select
        {{ period_start('month', 'sales.occurred_on') }} as month,
        sales.currency,
        sales.event_type,
        sales.amount,
        {{ reporting_amount('sales.amount', 'sales.currency') }} as amount_reporting
    from sales
    inner join as_of on sales.occurred_on <= as_of.as_of_date
    {{ join_fx_rates('rates', 'sales.currency', 'sales.occurred_on') }}
    where sales.event_type in ('invoice_issued', 'credit_note_issued')
),

signed_lines as (
    select
        month,
        currency,
        event_type,
        case when event_type = 'invoice_issued' then amount else 0 end as invoiced,
        case when event_type = 'credit_note_issued' then amount else 0 end as credited,
        case when event_type = 'invoice_issued' then amount else -amount end as net_revenue,
        case when event_type = 'invoice_issued' then amount_reporting else 0 end as invoiced_reporting,
        case when event_type = 'credit_note_issued' then amount_reporting else 0 end as credited_reporting,
        case when event_type = 'invoice_issued' then amount_reporting else -amount_reporting end
            as net_revenue_reporting
    from lines
),

final as (
    select
        month,
        currency,
        {{ sum_money('invoiced') }} as invoiced,
        {{ sum_money('credited') }} as credited,
        {{ sum_money('net_revenue') }} as net_revenue,
        '{{ reporting_currency() }}' as reporting_currency,
        {{ sum_money('invoiced_reporting') }} as invoiced_reporting,
        {{ sum_money('credited_reporting') }} as credited_reporting,
        {{ sum_money('net_revenue_reporting') }} as net_revenue_reporting,
        count(case when event_type = 'invoice_issued' then 1 end) as invoices,
        count(case when event_type = 'credit_note_issued' then 1 end) as credit_notes
    from signed_lines
    group by month, currency
)

select * from final
