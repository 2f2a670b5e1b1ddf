{{ config(
    store_failures=true, severity='error',
    meta={'dagster': {'ref': {'name': 'customer_base_rollforward_by_attribute'}}}
) }}
-- In every group and month: opening + new + won_back - lost + transferred_in - transferred_out = closing,
-- and the opening is the group's previous closing.
with

rollforward as (
    select * from {{ ref('customer_base_rollforward_by_attribute') }}
),

balanced as (
    select
        attribute,
        attribute_value,
        month,
        opening_active + new_accounts + won_back_accounts - lost_accounts + transferred_in - transferred_out
            as value
    from rollforward
),

closing as (
    select
        attribute,
        attribute_value,
        month,
        closing_active as value
    from rollforward
),

opening as (
    select
        attribute,
        attribute_value,
        month,
        opening_active as value
    from rollforward
),

-- a group absent in a month closed at 0 then; its next month's opening must be 0 too
previous_closing as (
    select
        rollforward.attribute,
        rollforward.attribute_value,
        rollforward.month,
        coalesce(previous.closing_active, 0) as value
    from rollforward
    left join rollforward as previous
        on
            rollforward.attribute = previous.attribute
            and rollforward.attribute_value = previous.attribute_value
            and previous.month = {{ add_months('rollforward.month', -1) }}
)

{{ reconciliation_failures(
    'opening + new + won_back - lost + transferred_in - transferred_out vs closing_active',
    'balanced', 'closing', ['attribute', 'attribute_value', 'month']) }}
union all
{{ reconciliation_failures(
    'opening_active vs the previous month closing_active',
    'opening', 'previous_closing', ['attribute', 'attribute_value', 'month']) }}
