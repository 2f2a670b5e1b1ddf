{#- What each event stream holds: one row per stream, also for a stream with no events at all (a company
    that imported only its sales), so outputs that need a stream can say it is missing. -#}
with

sales as (
    select * from {{ ref('stg_sales__events') }}
),

service as (
    select * from {{ ref('stg_service__events') }}
),

contact as (
    select * from {{ ref('stg_contact__events') }}
),

events as (
    {%- for stream in ['sales', 'service', 'contact'] %}
        select
            '{{ stream }}' as stream,
            event_type,
            account_id,
            occurred_on
        from {{ stream }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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
        count(*) as events,
        count(distinct account_id) as accounts_covered,
        min(occurred_on) as first_day,
        max(occurred_on) as last_day,
        {{ sorted_distinct_list('event_type') }} as event_types_seen
    from events
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
