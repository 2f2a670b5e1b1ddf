{#- The events each account has, per stream and event type: what the coverage of the warehouse (overall,
    int_streams_covered), of each account (account_coverage) and the drivers the data can measure
    (int_drivers_available) are counted from. Incremental by account
    (macros/incremental/touched_accounts.sql): an account's counts change only with its own events. -#}
{{ incremental_by_account() }}
with

sales as (
    select * from {{ ref('stg_sales__events') }}
    where {{ touched_accounts_only('account_id') }}
),

service as (
    select * from {{ ref('stg_service__events') }}
    where {{ touched_accounts_only('account_id') }}
),

contact as (
    select * from {{ ref('stg_contact__events') }}
    where {{ touched_accounts_only('account_id') }}
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

final as (
    select
        account_id,
        stream,
        event_type,
        count(*) as events,
        min(occurred_on) as first_day,
        max(occurred_on) as last_day
    from events
    group by account_id, stream, event_type
)

select * from final
