{#- One row per stage change: the day the rule says, its cause, and the event behind it (where there is
    one). -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

evaluated as (
    select * from {{ ref('int_stage_timeline_evaluated') }}
),

-- the timeline runs past the as-of date; transitions stop there
timeline as (
    select
        evaluated.*,
        lag(evaluated.stage) over (
            partition by evaluated.account_id order by evaluated.day_num
        ) as previous_stage
    from evaluated
    inner join as_of on evaluated.evaluated_on <= as_of.as_of_date
),

changes as (
    select * from timeline
    where previous_stage is null or previous_stage <> stage
)

select
    account_id,
    previous_stage as from_stage,
    stage as to_stage,
    evaluated_on as changed_on,
    case
        when is_purchase_day then 'purchase'
        when previous_stage is null then 'first_contact'
        when stage = 'lost' then 'inactivity'
        else 'window_lapse'
    end as cause,
    case
        when is_purchase_day then first_purchase_event_id
        when previous_stage is null then first_event_id
    end as cause_event_id,
    coalesce(previous_stage = 'lost' and {{ is_active('stage') }}, false) as won_back
from changes
