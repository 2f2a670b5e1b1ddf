{{ config(
    store_failures=true, severity='error', meta={'dagster': {'ref': {'name': 'customer_base_rollforward'}}}
) }}
-- The revenue the month's losses take away is the sum of what each loss brought in its last year as a
-- customer, loss by loss in lifecycle_transitions.
with

rollforward as (
    select
        month,
        lost_ttm_revenue as value
    from {{ ref('customer_base_rollforward') }}
),

transitions as (
    select
        {{ period_start('month', 'changed_on') }} as month,
        sum(lost_ttm_revenue) as value
    from {{ ref('lifecycle_transitions') }}
    where to_stage = 'lost'
    group by {{ period_start('month', 'changed_on') }}
)

{{ reconciliation_failures(
    'lost_ttm_revenue vs the losses in lifecycle_transitions',
    'rollforward', 'transitions', ['month']) }}
