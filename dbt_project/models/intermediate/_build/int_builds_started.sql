{#- One row per build that got as far as its plan, written before any incremental model: a build killed
    part way (or stopped by a full disk) may have rewritten some tables under its own settings and model
    SQL, and the next build must know it even though that build never completed (int_builds_planned). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

with

plan as (
    select * from {{ ref('int_builds_planned') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

final as (
    select
        plan.fingerprint,
        plan.settings,
        plan.reason,
        current_timestamp as started_at,
        as_of.as_of_date
    from plan
    cross join as_of
)

select * from final
