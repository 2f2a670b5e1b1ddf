with

source as (
    select * from {{ source('service', 'events') }}
),

renamed as (
    select
        event_id,
        event_type,
        account_id,
        ticket_id,
        category,
        severity,
        csat_score,
        agent_id,
        {{ event_time_columns() }}
    from source
)

select * from renamed
