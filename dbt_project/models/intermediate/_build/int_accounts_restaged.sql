{#- The accounts whose stage changes on a day between the as-of dates the tables may have been built
    with and this build's: the last completed build's, and those of the builds started since (one that
    stopped part way may have written some tables), this one's included; the as-of date can go back.
    The models whose rows follow the as-of date through stage changes recompute them with the touched
    accounts (macros/incremental/touched_accounts.sql): every other account's stage is the same at
    every one of those dates. Empty on a rebuild of every account, which recomputes them all anyway. -#}
with

plan as (
    select * from {{ ref('int_builds_planned') }}
),

started as (
    select * from {{ ref('int_builds_started') }}
),

timeline as (
    select * from {{ ref('int_stage_timeline_evaluated') }}
),

as_of_dates as (
    select after_as_of_date as as_of_date from plan
    union all
    select started.as_of_date
    from started
    inner join plan on started.started_at > plan.after_completed_at
),

moved as (
    select
        min(as_of_dates.as_of_date) as moved_after,
        max(as_of_dates.as_of_date) as moved_through
    from as_of_dates
    cross join plan
    where not plan.rebuild_all
    having min(as_of_dates.as_of_date) < max(as_of_dates.as_of_date)
),

-- the accounts with a day the rules are evaluated on in the span: few, so their whole timelines are read
candidates as (
    select distinct timeline.account_id
    from timeline
    inner join moved
        on timeline.evaluated_on > moved.moved_after and timeline.evaluated_on <= moved.moved_through
),

staged as (
    select
        timeline.account_id,
        timeline.evaluated_on,
        timeline.stage,
        lag(timeline.stage) over (
            partition by timeline.account_id order by timeline.day_num
        ) as previous_stage
    from timeline
    inner join candidates on timeline.account_id = candidates.account_id
),

final as (
    select distinct staged.account_id
    from staged
    inner join moved
        on staged.evaluated_on > moved.moved_after and staged.evaluated_on <= moved.moved_through
    where staged.previous_stage is null or staged.previous_stage <> staged.stage
)

select * from final
