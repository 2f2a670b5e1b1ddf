{#- The first event of each account: the day it becomes known (a prospect, unless it buys that day).
    Incremental by account (macros/incremental_builds.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_touched_accounts() }}",
) }}
-- depends_on: {{ ref('int_builds_planned') }}
-- depends_on: {{ ref('int_accounts_touched') }}
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
    where {{ touched_accounts_only('account_id') }}
)

select
    account_id,
    occurred_on as first_seen_on,
    event_id as first_event_id,
    stream as first_event_stream
from ranked
where event_rank = 1
