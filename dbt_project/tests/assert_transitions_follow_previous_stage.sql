-- A transition starts from the stage the previous transition ended in, and never repeats it.
with

ordered as (
    select
        account_id,
        changed_on,
        from_stage,
        to_stage,
        lag(to_stage) over (partition by account_id order by changed_on) as previous_to_stage
    from {{ ref('lifecycle_transitions') }}
)

select *
from ordered
where
    (previous_to_stage is null and from_stage is not null)
    or (previous_to_stage is not null and from_stage <> previous_to_stage)
    or from_stage = to_stage
