{#- The 80/20 view of trailing-12-month revenue: one row per percent of accounts (1 .. 100, the accounts
    with TTM revenue above 0, ranked by it), with the share of TTM revenue the top that-many accounts bring;
    a Pareto or Lorenz chart plots account_share against revenue_share. key_accounts_revenue_share (every
    row) is the share of the top key_account_share of accounts. -#}
{%- set share = validated_setting('key_account_share', '^(0?[.][0-9]+|1([.]0+)?)$', 'a number in (0, 1]') %}

with

key_accounts as (
    select * from {{ ref('key_accounts') }}
),

percents as (
    {{ number_series(1, 100) }}
),

totals as (
    select
        count(*) as ranked_accounts,
        sum(ttm_revenue) as total_ttm_revenue,
        sum(case when is_key_account then ttm_revenue else 0 end) as key_accounts_revenue
    from key_accounts
),

cuts as (
    select
        percents.n as percent_of_accounts,
        cast(ceil(totals.ranked_accounts * percents.n / 100.0) as integer) as top_accounts
    from percents
    cross join totals
    where totals.ranked_accounts > 0
),

final as (
    select
        cuts.percent_of_accounts,
        cast(cuts.percent_of_accounts as double) / 100 as account_share,
        cuts.top_accounts,
        key_accounts.cumulative_revenue as top_accounts_revenue,
        key_accounts.cumulative_share as revenue_share,
        totals.ranked_accounts,
        totals.total_ttm_revenue,
        cast({{ share }} as double) as key_account_share,
        cast(totals.key_accounts_revenue as double) / cast(totals.total_ttm_revenue as double)
            as key_accounts_revenue_share
    from cuts
    cross join totals
    inner join key_accounts on cuts.top_accounts = key_accounts.revenue_rank
)

select * from final
