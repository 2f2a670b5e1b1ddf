{{ config(
    store_failures=true, severity='error', meta={'dagster': {'ref': {'name': 'revenue_retention'}}}
) }}
-- The TTM bridge holds every month, and its total is the ledger's revenue of the trailing 12 months.
with

retention as (
    select * from {{ ref('revenue_retention') }}
),

ledger as (
    select * from {{ ref('revenue_ledger') }}
),

bridged as (
    select
        month,
        base_ttm_revenue + expansion - contraction - churned as value
    from retention
),

retained as (
    select
        month,
        retained_ttm_revenue as value
    from retention
),

parts as (
    select
        month,
        retained_ttm_revenue + new_ttm_revenue + won_back_ttm_revenue + other_ttm_revenue as value
    from retention
),

total as (
    select
        month,
        total_ttm_revenue as value
    from retention
),

ledger_ttm as (
    select
        retention.month,
        sum(ledger.net_revenue_reporting) as value
    from retention
    inner join ledger
        on
            retention.month >= ledger.month
            and ledger.month >= {{ add_months('retention.month', -11) }}
    group by retention.month
)

{{ reconciliation_failures(
    'base + expansion - contraction - churned vs retained_ttm_revenue', 'bridged', 'retained', ['month']) }}
union all
{{ reconciliation_failures(
    'retained + new + won_back + other vs total_ttm_revenue',
    'parts', 'total', ['month']) }}
union all
{{ reconciliation_failures(
    'total_ttm_revenue vs revenue_ledger over 12 months',
    'total', 'ledger_ttm', ['month']) }}
