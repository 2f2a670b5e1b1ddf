{#- Revenue (spec section 6): invoices minus credit notes, booked on the event's reporting date, exact in
    the original currency and converted with that date's rates: amount / rate(currency) x rate(reporting
    currency), exact, rounded half-even to 4 decimals per line (macro fx_convert). Revenue already in the
    reporting currency needs no rate. A line without the rates it needs keeps a null amount_reporting; the
    test assert_revenue_lines_have_fx_rates then stops the build, naming the currency and date. -#}
with

sales as (
    select * from {{ ref('stg_sales__events') }}
),

fx_rates as (
    select * from {{ ref('stg_fx__rates') }}
),

lines as (
    select
        event_id,
        account_id,
        order_id,
        invoice_id,
        event_type,
        occurred_on as booked_on,
        currency,
        case when event_type = 'credit_note_issued' then -amount else amount end as amount
    from sales
    where event_type in ('invoice_issued', 'credit_note_issued')
),

-- one base currency per day (test assert_fx_rates_share_one_base_per_day); its own rate is 1
rates as (
    select
        rate_date,
        base_currency,
        currency,
        rate
    from fx_rates
    union
    select distinct
        rate_date,
        base_currency,
        base_currency as currency,
        cast(1 as decimal(20, 8)) as rate
    from fx_rates
),

converted as (
    select
        lines.*,
        '{{ reporting_currency() }}' as reporting_currency,
        source_rate.rate as source_rate,
        reporting_rate.rate as reporting_rate,
        case
            when lines.currency = '{{ reporting_currency() }}' then lines.amount
            when source_rate.rate is not null and reporting_rate.rate is not null
                then {{ fx_convert('lines.amount', 'source_rate.rate', 'reporting_rate.rate') }}
        end as amount_reporting
    from lines
    left join rates as source_rate
        on
            lines.currency = source_rate.currency
            and lines.booked_on = source_rate.rate_date
            and lines.currency <> '{{ reporting_currency() }}'
    left join rates as reporting_rate
        on
            reporting_rate.currency = '{{ reporting_currency() }}'
            and lines.booked_on = reporting_rate.rate_date
            and lines.currency <> '{{ reporting_currency() }}'
)

select * from converted
