{#- What the warehouse holds, per event stream, and which outputs are unavailable because of what it
    lacks: the churn drivers it cannot measure (absent from churn_drivers) and the at-risk reasons built
    on them. -#}
with

streams as (
    select * from {{ ref('int_streams_covered') }}
),

drivers as (
    select * from {{ ref('int_drivers_available') }}
),

unavailable as (
    select
        stream,
        {{ sorted_distinct_list('driver') }} as unavailable_drivers,
        {{ sorted_distinct_list('missing', '; ') }} as unavailable_because
    from drivers
    where not is_available
    group by stream
),

final as (
    select
        streams.stream,
        streams.event_types_seen,
        streams.first_day,
        streams.last_day,
        streams.accounts_covered,
        streams.events,
        unavailable.unavailable_drivers,
        unavailable.unavailable_because
    from streams
    left join unavailable on streams.stream = unavailable.stream
)

select * from final
