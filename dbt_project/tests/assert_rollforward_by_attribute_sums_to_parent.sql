{{ config(
    store_failures=true, severity='error',
    meta={'dagster': {'ref': {'name': 'customer_base_rollforward_by_attribute'}}}
) }}
-- Every attribute splits each month of the roll-forward into its values: summed over them, each figure is
-- customer_base_rollforward's, and the transfers between values net to zero.
{{ breakdown_sum_failures(
    ref('customer_base_rollforward_by_attribute'), ref('customer_base_rollforward'),
    ['month'],
    ['opening_active', 'new_accounts', 'won_back_accounts', 'lost_accounts', 'closing_active',
     'lost_ttm_revenue',
     ['transferred_in - transferred_out', '0']]) }}
