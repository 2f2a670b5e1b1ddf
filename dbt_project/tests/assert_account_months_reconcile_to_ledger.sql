{{ config(
    store_failures=true, severity='error', meta={'dagster': {'ref': {'name': 'account_months'}}}
) }}
-- Every month, account_months holds every account known by its end, and their revenue is the ledger's.
-- Accounts known: first seen as accounts counts them (int_accounts_first_seen), not the accounts mart,
-- which the load builds after the purchase forecasts, later than account_months.
with

account_months as (
    select * from {{ ref('account_months') }}
),

accounts as (
    select * from {{ ref('int_accounts_first_seen') }}
),

ledger as (
    select * from {{ ref('revenue_ledger') }}
),

revenue as (
    select
        month,
        sum(revenue) as value
    from account_months
    group by month
),

ledger_reporting as (
    {{ ledger_reporting_per_month('ledger') }}
),

rows_per_month as (
    select
        month,
        max(snapshot_date) as snapshot_date,
        count(*) as value
    from account_months
    group by month
),

known_accounts as (
    select
        rows_per_month.month,
        count(accounts.account_id) as value
    from rows_per_month
    left join accounts on rows_per_month.snapshot_date >= accounts.first_seen_on
    group by rows_per_month.month
)

{{ reconciliation_failures(
    'account_months revenue vs revenue_ledger',
    'revenue', 'ledger_reporting', ['month']) }}
union all
{{ reconciliation_failures(
    'account_months rows vs accounts known',
    'rows_per_month', 'known_accounts', ['month']) }}
