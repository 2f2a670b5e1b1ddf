with

source as (
    select * from {{ source('contact', 'events') }}
),

renamed as (
    select
        event_id,
        account_id,
        account_name,
        segment,
        industry,
        region,
        country,
        employees,
        owner_rep_id,
        {{ event_time_columns() }}
    from source
    where event_type = 'account_updated'
)

select * from renamed
