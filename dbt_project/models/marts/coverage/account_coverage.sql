{#- What the warehouse holds for each account, per event stream it has events of: which event types, from
    when to when, how many. An account without a row for a stream has no event of it (e.g. no ticket ever),
    which is a fact about the account only where data_coverage shows the stream is imported at all.
    Incremental by account, as int_account_events_counted. -#}
{{ incremental_by_account(on_schema_change='append_new_columns') }}
with

counted as (
    select * from {{ ref('int_account_events_counted') }}
    where {{ touched_accounts_only('account_id') }}
),

final as (
    select
        account_id,
        stream,
        {{ sorted_distinct_list('event_type') }} as event_types_seen,
        min(first_day) as first_day,
        max(last_day) as last_day,
        cast(sum(events) as bigint) as events
    from counted
    group by account_id, stream
)

select * from final
