{#- Every finance figure of every month in one long table: what `lifecycle close-month` publishes and what
    restatements compares against. Money in the reporting or original currency, counts of accounts;
    ratios (nrr, grr) are left out because they follow from the figures. figure_key names a figure
    within its month. built_at lets close-month refuse marts older than the latest load. -#}
with

ledger as (
    select * from {{ ref('revenue_ledger') }}
),

by_lifecycle as (
    select * from {{ ref('revenue_by_lifecycle') }}
),

rollforward as (
    select * from {{ ref('customer_base_rollforward') }}
),

retention as (
    select * from {{ ref('revenue_retention') }}
),

unpivoted as (
    {{ unpivot_figures('ledger', 'revenue_ledger',
        ['invoiced', 'credited', 'net_revenue', 'invoiced_reporting', 'credited_reporting',
         'net_revenue_reporting'], dims=['currency']) }}
    union all
    {{ unpivot_figures('by_lifecycle', 'revenue_by_lifecycle',
        ['accounts', 'revenue', 'revenue_reporting'], dims=['currency', 'revenue_class']) }}
    union all
    {{ unpivot_figures('rollforward', 'customer_base_rollforward',
        ['opening_active', 'new_accounts', 'won_back_accounts', 'lost_accounts', 'closing_active']) }}
    union all
    {{ unpivot_figures('retention', 'revenue_retention',
        ['base_accounts', 'base_ttm_revenue', 'expansion', 'contraction', 'churned',
         'retained_ttm_revenue', 'new_ttm_revenue', 'won_back_ttm_revenue', 'other_ttm_revenue',
         'total_ttm_revenue']) }}
),

final as (
    select
        month,
        mart,
        measure,
        currency,
        revenue_class,
        {{ dbt.concat(["mart", "'.'", "measure",
            "coalesce(" ~ dbt.concat(["'.'", "currency"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["'.'", "revenue_class"]) ~ ", '')"]) }} as figure_key,
        value,
        '{{ reporting_currency() }}' as reporting_currency,
        {{ dbt.current_timestamp() }} as built_at
    from unpivoted
)

select * from final
