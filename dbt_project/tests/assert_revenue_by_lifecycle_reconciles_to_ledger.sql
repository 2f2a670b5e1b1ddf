{{ config(
    store_failures=true, severity='error', meta={'dagster': {'ref': {'name': 'revenue_by_lifecycle'}}}
) }}
-- The lifecycle classes of each month and currency sum exactly to the ledger built from the staged events,
-- in the original currency and, per month, in the reporting currency.
with

by_lifecycle as (
    select * from {{ ref('revenue_by_lifecycle') }}
),

ledger as (
    select * from {{ ref('revenue_ledger') }}
),

classes_per_currency as (
    select
        month,
        currency,
        sum(revenue) as value
    from by_lifecycle
    group by month, currency
),

ledger_per_currency as (
    select
        month,
        currency,
        net_revenue as value
    from ledger
),

classes_reporting as (
    select
        month,
        sum(revenue_reporting) as value
    from by_lifecycle
    group by month
),

ledger_reporting as (
    {{ ledger_reporting_per_month('ledger') }}
)

{{ reconciliation_failures(
    'revenue_by_lifecycle revenue vs revenue_ledger net_revenue',
    'classes_per_currency', 'ledger_per_currency', ['month', 'currency']) }}
union all
{{ reconciliation_failures(
    'revenue_by_lifecycle revenue_reporting vs revenue_ledger net_revenue_reporting',
    'classes_reporting', 'ledger_reporting', ['month']) }}
