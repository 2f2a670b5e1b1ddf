{#- The accounts this build recomputes: those of the loads after the last completed build, or every
    known account (any event, a CRM update included) when the plan rebuilds all. Built after the build's start is recorded: every
    incremental model reads this, so none writes before int_builds_started holds this build. -#}
-- depends_on: {{ ref('int_builds_started') }}
with

plan as (
    select * from {{ ref('int_builds_planned') }}
),

changes as (
    select * from {{ ref('stg_ingest__account_changes') }}
),

events as (
    select * from {{ ref('int_account_events_unioned') }}
),

-- an account the CRM created before any other event has rows of its own (account_attributes_history)
account_updates as (
    select * from {{ ref('stg_contact__account_updates') }}
),

changed as (
    select changes.account_id
    from changes
    inner join plan on changes.load_id > plan.after_load_id
    where not plan.rebuild_all
),

everyone as (
    select events.account_id
    from events
    cross join plan
    where plan.rebuild_all
    union
    select account_updates.account_id
    from account_updates
    cross join plan
    where plan.rebuild_all
),

final as (
    select account_id from changed
    union
    select account_id from everyone
)

select * from final
