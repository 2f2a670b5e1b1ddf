with

source as (
    select * from {{ source('sales', 'events') }}
),

renamed as (
    select
        event_id,
        event_type,
        account_id,
        order_id,
        invoice_id,
        amount,
        currency,
        discount_amount,
        payment_terms_days,
        rep_id,
        reason,
        {{ to_utc_timestamp('occurred_at') }} as occurred_at_utc,
        {{ to_reporting_date('occurred_at') }} as occurred_on,
        arrival_date,
        ingested_at
    from source
)

select * from renamed
