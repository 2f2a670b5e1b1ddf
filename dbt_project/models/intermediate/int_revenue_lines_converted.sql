{#- Revenue (spec section 6): invoices minus credit notes, booked on the event's reporting date, exact in
    the original currency and converted with that date's rate. A missing rate stops the build. -#}
{{ assert_fx_rates_available() }}

with

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
    from {{ ref('stg_sales__events') }}
    where event_type in ('invoice_issued', 'credit_note_issued')
),

rates as (
    -- the base currency's own rate is 1 on every day that has rates
    select rate_date, currency, rate from {{ ref('stg_fx__rates') }}
    union
    select distinct rate_date, base_currency as currency, 1 as rate from {{ ref('stg_fx__rates') }}
),

converted as (
    select
        lines.*,
        '{{ var("reporting_currency") }}' as reporting_currency,
        source_rate.rate as source_rate,
        reporting_rate.rate as reporting_rate,
        -- rates are units per 1 base currency: amount / rate(currency) * rate(reporting currency)
        case
            when lines.currency = '{{ var("reporting_currency") }}' then lines.amount
            else cast(lines.amount * reporting_rate.rate / source_rate.rate as decimal(20, 4))
        end as amount_reporting
    from lines
    inner join rates as source_rate
        on lines.currency = source_rate.currency and lines.booked_on = source_rate.rate_date
    inner join rates as reporting_rate
        on reporting_rate.currency = '{{ var("reporting_currency") }}'
        and lines.booked_on = reporting_rate.rate_date
)

select * from converted
