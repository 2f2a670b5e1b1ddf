{#- The accounts whose stage changes on a day between the last completed build's as-of date and this
    build's (either way: the as-of date can go back). The models by month or quarter recompute them with
    the touched accounts when the open month moves (macros/incremental/touched_accounts.sql): every
    other account's open month keeps its stage, only its snapshot date moves. Empty on a rebuild of every
    account, which recomputes them all anyway. -#}
with

plan as (
    select * from {{ ref('int_builds_planned') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

timeline as (
    select * from {{ ref('int_stage_timeline_evaluated') }}
),

moved as (
    select
        case
            when plan.after_as_of_date < as_of.as_of_date then plan.after_as_of_date else as_of.as_of_date
        end as moved_after,
        case
            when plan.after_as_of_date < as_of.as_of_date then as_of.as_of_date else plan.after_as_of_date
        end as moved_through
    from plan
    cross join as_of
    where not plan.rebuild_all and plan.after_as_of_date <> as_of.as_of_date
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
