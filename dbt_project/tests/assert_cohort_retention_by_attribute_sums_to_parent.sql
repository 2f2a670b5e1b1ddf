{{ config(
    store_failures=true, severity='error',
    meta={'dagster': {'ref': {'name': 'cohort_retention_by_attribute'}}}
) }}
-- Every attribute splits each cohort cell into its values: summed over them, each count and revenue is
-- cohort_retention's.
{{ breakdown_sum_failures(
    ref('cohort_retention_by_attribute'), ref('cohort_retention'),
    ['period_grain', 'cohort', 'period_number'],
    ['cohort_size', 'active_accounts', 'retained_accounts', 'revenue', 'cumulative_revenue']) }}
