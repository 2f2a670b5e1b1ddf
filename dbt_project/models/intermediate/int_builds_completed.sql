{#- One row per build whose per-account models all succeeded: the watermark the next build starts from,
    and an audit of what each build recomputed. It survives --full-refresh (full_refresh=false). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_purchases_identified') }}
-- depends_on: {{ ref('int_purchase_days_aggregated') }}
-- depends_on: {{ ref('int_accounts_first_seen') }}
-- depends_on: {{ ref('int_stage_timeline_evaluated') }}
-- depends_on: {{ ref('int_driver_signals_measured') }}
-- depends_on: {{ ref('int_revenue_lines_converted') }}

with

plan as (
    select * from {{ ref('int_builds_planned') }}
),

touched as (
    select * from {{ ref('int_accounts_touched') }}
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
        current_timestamp as completed_at
    from plan
)

select * from final
