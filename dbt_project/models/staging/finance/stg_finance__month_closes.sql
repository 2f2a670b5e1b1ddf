with

source as (
    select * from {{ source('finance', 'month_closes') }}
),

renamed as (
    select
        close_id,
        month,
        version as close_version,
        closed_at,
        arrival_cutoff,
        marts_built_at,
        closed_by
    from source
)

select * from renamed
