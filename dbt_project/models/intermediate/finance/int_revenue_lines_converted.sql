{#- Revenue: invoices minus credit notes, booked on the event's reporting date, exact in
    the original currency and converted with that date's rates: amount / rate(currency) x rate(reporting
    currency), exact, rounded half-even to 4 decimals per line (macro fx_convert). Revenue already in the
    reporting currency needs no rate. A line without the rates it needs keeps a null amount_reporting; the
    test assert_revenue_lines_have_fx_rates then stops the build, naming the currency and date.
    Lines booked after the as-of date are left out, as every other event is.
    Incremental by account (macros/incremental/touched_accounts.sql): a line depends on its event and the rates of its
    reporting date; an FX load records the accounts with lines near the rate days it changed
    (pipelines/raw/fx.py). With the default as-of date, the latest event date, no line lies after it; a set
    as_of_date is part of the fingerprint, so changing it rebuilds every account. -#}
{{ incremental_by_account() }}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

sales as (
    select sales.*
    from {{ ref('stg_sales__events') }} as sales
    inner join as_of on sales.occurred_on <= as_of.as_of_date
    where {{ touched_accounts_only('sales.account_id') }}
),

rates as (
    select * from {{ ref('int_fx_rates_completed') }}
),

lines as (
    select
        event_id,
        account_id,
        order_id,
        invoice_id,
        event_type,
        occurred_on as booked_on,
        arrival_date,
        currency,
        case when event_type = 'credit_note_issued' then -amount else amount end as amount
    from sales
    where event_type in ('invoice_issued', 'credit_note_issued')
),

converted as (
    select
        lines.*,
        '{{ reporting_currency() }}' as reporting_currency,
        source_rate.rate as source_rate,
        reporting_rate.rate as reporting_rate,
        {{ reporting_amount('lines.amount', 'lines.currency') }} as amount_reporting
    from lines
    {{ join_fx_rates('rates', 'lines.currency', 'lines.booked_on') }}
)

select * from converted
