{#- The first event of each account: the day it becomes known (a prospect, unless it buys that day). -#}
with

ranked as (
    select
        account_id,
        event_id,
        stream,
        occurred_on,
        row_number() over (
            partition by account_id order by occurred_at_utc, stream, event_id
        ) as event_rank
    from {{ ref('int_account_events_unioned') }}
)

select
    account_id,
    occurred_on as first_seen_on,
    event_id as first_event_id,
    stream as first_event_stream
from ranked
where event_rank = 1
