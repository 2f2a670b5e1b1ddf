with

source as (
    select * from {{ source('ingest', 'account_changes') }}
),

renamed as (
    select
        load_id,
        stream,
        account_id
    from source
)

select * from renamed
