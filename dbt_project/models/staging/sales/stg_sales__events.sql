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
        {{ event_time_columns() }}
    from source
)

select * from renamed
