{{ config(
    store_failures=true, severity='error',
    meta={'dagster': {'ref': {'name': 'revenue_retention_by_attribute'}}}
) }}
-- Every attribute splits each month's revenue bridge into its values: summed over them, each amount and
-- count is revenue_retention's.
{{ breakdown_sum_failures(
    ref('revenue_retention_by_attribute'), ref('revenue_retention'),
    ['month'],
    ['base_accounts', 'base_ttm_revenue', 'expansion', 'contraction', 'churned', 'retained_ttm_revenue',
     'new_ttm_revenue', 'won_back_ttm_revenue', 'other_ttm_revenue', 'total_ttm_revenue',
     'churned_accounts', 'new_accounts', 'won_back_accounts']) }}
