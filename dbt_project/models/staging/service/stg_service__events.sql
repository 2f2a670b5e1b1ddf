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
        {{ to_utc_timestamp('occurred_at') }} as occurred_at_utc,
        {{ to_reporting_date('occurred_at') }} as occurred_on,
        arrival_date,
        ingested_at
    from source
)

select * from renamed
