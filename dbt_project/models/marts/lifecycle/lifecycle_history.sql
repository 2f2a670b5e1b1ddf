{{ config(post_hook="{{ create_stage_on_function() }}") }}

{#- Stage intervals per account: [valid_from, valid_to), valid_to null for the current stage.
    Consecutive rows meet exactly (no gaps, no overlaps); see macro stage_as_of for point-in-time.
    Incremental by account as lifecycle_transitions is. -#}
{{ incremental_by_account(restaged=true, on_schema_change='append_new_columns') }}
with

transitions as (
    select * from {{ ref('lifecycle_transitions') }}
    where {{ touched_accounts_only('account_id', restaged=true) }}
),

final as (
    select
        account_id,
        to_stage as stage,
        changed_on as valid_from,
        lead(changed_on) over (partition by account_id order by changed_on) as valid_to,
        cause,
        cause_event_id,
        won_back
    from transitions
)

select * from final
