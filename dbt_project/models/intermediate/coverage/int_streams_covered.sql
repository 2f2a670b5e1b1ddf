{#- What each event stream holds: one row per stream, also for a stream with no events at all (a company
    that imported only its sales), so outputs that need a stream can say it is missing. -#}
with

counted as (
    select * from {{ ref('int_account_events_counted') }}
),

streams as (
    select 'sales' as stream
    union all
    select 'service' as stream
    union all
    select 'contact' as stream
),

seen as (
    select
        stream,
        sum(events) as events,
        count(distinct account_id) as accounts_covered,
        min(first_day) as first_day,
        max(last_day) as last_day,
        {{ sorted_distinct_list('event_type') }} as event_types_seen
    from counted
    group by stream
),

final as (
    select
        streams.stream,
        seen.event_types_seen,
        seen.first_day,
        seen.last_day,
        cast(coalesce(seen.accounts_covered, 0) as bigint) as accounts_covered,
        cast(coalesce(seen.events, 0) as bigint) as events
    from streams
    left join seen on streams.stream = seen.stream
)

select * from final
