with

source as (
    select * from {{ source('contact', 'events') }}
),

renamed as (
    select
        event_id,
        event_type,
        account_id,
        -- the person at the customer is personal data: only a one-way hash goes further
        {{ pseudonymise('contact_person_id') }} as contact_person_key,
        rep_id,
        direction,
        {{ event_time_columns() }}
    from source
    -- the CRM's account master rides on this stream but is no contact: stg_contact__account_updates
    where event_type <> 'account_updated'
)

select * from renamed
