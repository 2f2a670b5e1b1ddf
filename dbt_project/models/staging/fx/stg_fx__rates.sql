with

source as (
    select * from {{ source('fx', 'rates') }}
),

renamed as (
    select
        rate_date,
        base_currency,
        currency,
        rate
    from source
)

select * from renamed
