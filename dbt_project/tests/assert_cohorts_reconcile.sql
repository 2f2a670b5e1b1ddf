{{ config(
    store_failures=true, severity='error', meta={'dagster': {'ref': {'name': 'cohort_retention'}}}
) }}
-- Cohorts agree with the roll-forward and the ledger: a monthly cohort is that month's new accounts, a
-- quarterly cohort the sum of its three monthly ones, everyone is active in period 0, the size of a cohort
-- never changes, and each calendar month's cohort revenue plus the revenue booked before first purchases
-- is the ledger's total for the month.
with

cohorts as (
    select * from {{ ref('cohort_retention') }}
),

rollforward as (
    select * from {{ ref('customer_base_rollforward') }}
),

by_lifecycle as (
    select * from {{ ref('revenue_by_lifecycle') }}
),

ledger as (
    select * from {{ ref('revenue_ledger') }}
),

monthly_cohort_sizes as (
    select
        cohort as month,
        cohort_size as value
    from cohorts
    where period_grain = 'month' and period_number = 0
),

new_accounts as (
    select
        month,
        new_accounts as value
    from rollforward
),

quarterly_cohort_sizes as (
    select
        cohort as quarter,
        cohort_size as value
    from cohorts
    where period_grain = 'quarter' and period_number = 0
),

monthly_sizes_per_quarter as (
    select
        {{ period_start('quarter', 'cohort') }} as quarter,
        sum(cohort_size) as value
    from cohorts
    where period_grain = 'month' and period_number = 0
    group by {{ period_start('quarter', 'cohort') }}
),

period_zero_active as (
    select
        period_grain,
        cohort,
        active_accounts as value
    from cohorts
    where period_number = 0
),

period_zero_size as (
    select
        period_grain,
        cohort,
        cohort_size as value
    from cohorts
    where period_number = 0
),

cohort_sizes as (
    select
        period_grain,
        cohort,
        period_start,
        cohort_size as value
    from cohorts
),

first_cohort_sizes as (
    select
        cohorts.period_grain,
        cohorts.cohort,
        cohorts.period_start,
        zero.value
    from cohorts
    inner join period_zero_size as zero
        on cohorts.period_grain = zero.period_grain and cohorts.cohort = zero.cohort
),

cohort_revenue_with_earlier as (
    select
        month,
        sum(value) as value
    from (
        select
            period_start as month,
            revenue as value
        from cohorts
        where period_grain = 'month'
        union all
        select
            month,
            revenue_reporting as value
        from by_lifecycle
        where revenue_class = 'before_first_purchase'
    ) as parts
    group by month
),

ledger_reporting as (
    {{ ledger_reporting_per_month('ledger') }}
)

{{ reconciliation_failures(
    'monthly cohort_size vs new_accounts',
    'monthly_cohort_sizes', 'new_accounts', ['month']) }}
union all
{{ reconciliation_failures(
    'quarterly cohort_size vs its monthly cohorts', 'quarterly_cohort_sizes', 'monthly_sizes_per_quarter',
    ['quarter']) }}
union all
{{ reconciliation_failures(
    'period 0 active_accounts vs cohort_size', 'period_zero_active', 'period_zero_size',
    ['period_grain', 'cohort']) }}
union all
{{ reconciliation_failures(
    'cohort_size vs its period 0 size', 'cohort_sizes', 'first_cohort_sizes',
    ['period_grain', 'cohort', 'period_start']) }}
union all
{{ reconciliation_failures(
    'cohort revenue + before_first_purchase vs revenue_ledger', 'cohort_revenue_with_earlier',
    'ledger_reporting', ['month']) }}
