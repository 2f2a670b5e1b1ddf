{#- Every event of every stream up to the as-of date: what makes an account known.
    A view: the per-account models read it for the touched accounts only. -#}
{{ config(materialized='view') }}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

unioned as (
    select
        account_id,
        'sales' as stream,
        event_id,
        event_type,
        occurred_at_utc,
        occurred_on
    from {{ ref('stg_sales__events') }}
    union all
    select
        account_id,
        'service' as stream,
        event_id,
        event_type,
        occurred_at_utc,
        occurred_on
    from {{ ref('stg_service__events') }}
    union all
    select
        account_id,
        'contact' as stream,
        event_id,
        event_type,
        occurred_at_utc,
        occurred_on
    from {{ ref('stg_contact__events') }}
)

select unioned.*
from unioned
inner join as_of on unioned.occurred_on <= as_of.as_of_date
