{#- The first event of each account: the day it becomes known (a prospect, unless it buys that day).
    Incremental by account (macros/incremental/touched_accounts.sql). -#}
{{ incremental_by_account() }}
with

events as (
    select
        account_id,
        event_id,
        stream,
        occurred_at_utc,
        occurred_on
    from {{ ref('int_account_events_unioned') }}
    where {{ touched_accounts_only('account_id') }}
),

-- the earliest instant first, by a hash aggregate: ranking every event of an account took twice as long
first_instants as (
    select
        account_id,
        min(occurred_at_utc) as first_at
    from events
    group by account_id
),

-- events sharing that instant are ranked by stream and id
ranked as (
    select
        events.account_id,
        events.event_id,
        events.stream,
        events.occurred_on,
        row_number() over (
            partition by events.account_id order by events.stream, events.event_id
        ) as event_rank
    from events
    inner join first_instants
        on
            events.account_id = first_instants.account_id
            and events.occurred_at_utc = first_instants.first_at
),

final as (
    select
        account_id,
        occurred_on as first_seen_on,
        event_id as first_event_id,
        stream as first_event_stream
    from ranked
    where event_rank = 1
)

select * from final
