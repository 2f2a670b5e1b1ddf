{#- One row per build whose incremental models all succeeded: the watermark the next build starts from,
    and an audit of what each build recomputed. It survives --full-refresh (full_refresh=false). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
{%- for name in incremental_by_account_models() %}
-- depends_on: {{ ref(name) }}
{%- endfor %}
{{ assert_every_incremental_model_is_awaited() }}

with

plan as (
    select * from {{ ref('int_builds_planned') }}
),

touched as (
    select * from {{ ref('int_accounts_touched') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

final as (
    select
        plan.through_load_id,
        plan.after_load_id,
        plan.fingerprint,
        plan.settings,
        plan.reason,
        plan.rebuild_all,
        (select count(*) from touched) as accounts_recomputed,
        current_timestamp as completed_at,
        as_of.as_of_date
    from plan
    cross join as_of
)

select * from final
