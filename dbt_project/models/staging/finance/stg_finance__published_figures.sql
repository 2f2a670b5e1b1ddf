with

source as (
    select * from {{ source('finance', 'published_figures') }}
),

renamed as (
    select
        close_id,
        month,
        mart,
        measure,
        currency,
        revenue_class,
        figure_key,
        value as published_value
    from source
)

select * from renamed
