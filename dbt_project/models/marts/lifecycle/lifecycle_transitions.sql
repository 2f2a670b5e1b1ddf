{#- One row per stage change: the day the rule says, its cause, and the event behind it (where there is
    one). -#}
with

timeline as (
    select
        *,
        lag(stage) over (partition by account_id order by day_num) as previous_stage
    from {{ ref('int_stage_timeline_evaluated') }}
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
