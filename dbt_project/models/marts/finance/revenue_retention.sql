{#- The trailing-twelve-month (TTM) revenue bridge per month, in the reporting currency.
    TTM revenue of an account at month m: its revenue booked in months m-11 .. m.
      base accounts       accounts whose TTM revenue at m-12 was > 0 (they "had revenue then");
      base_ttm_revenue    their TTM revenue at m-12;
      retained_ttm_revenue the same accounts' TTM revenue at m;
      expansion           sum of (now - then) over base accounts whose TTM revenue grew;
      contraction         sum of (then - now) over base accounts still > 0 now but lower;
      churned             sum of (then - now) over base accounts at <= 0 now (all of then, plus any net
                          credit now);
      new_ttm_revenue     TTM revenue at m of accounts outside the base whose first purchase day is in
                          m-11 .. m;
      won_back_ttm_revenue TTM revenue at m of accounts outside the base that first bought before m-11;
      other_ttm_revenue   TTM revenue at m of accounts outside the base with no purchase day by the end
                          of m (invoiced ahead of the first order, or never bought);
      nrr = retained_ttm_revenue / base_ttm_revenue;
      grr = (base_ttm_revenue - contraction - churned) / base_ttm_revenue (null while the base is 0).
    Identities, every month (test assert_revenue_retention_bridge_holds): retained = base + expansion
    - contraction - churned; total_ttm_revenue = retained + new + won_back + other = the ledger's
    net_revenue_reporting over m-11 .. m. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

account_months as (
    select * from {{ ref('account_months') }}
),

-- account_months has every month from the account's first event, so 11 rows back is 11 months back
ttm as (
    select
        account_id,
        month,
        first_purchase_date,
        sum(revenue) over (
            partition by account_id order by month rows between 11 preceding and current row
        ) as ttm_now
    from account_months
),

compared as (
    select
        *,
        coalesce(lag(ttm_now, 12) over (partition by account_id order by month), 0) as ttm_then
    from ttm
),

classified as (
    select
        *,
        ttm_then > 0 as in_base,
        case
            when ttm_then > 0 then 'base'
            when first_purchase_date is null or first_purchase_date > {{ dbt.last_day('month', 'month') }}
                then 'other'
            when first_purchase_date >= {{ add_months('month', -11) }} then 'new'
            else 'won_back'
        end as bridge_class
    from compared
),

monthly as (
    select
        month,
        count(case when in_base then 1 end) as base_accounts,
        sum(case when in_base then ttm_then else 0 end) as base_ttm_revenue,
        sum(case when in_base and ttm_now > ttm_then then ttm_now - ttm_then else 0 end) as expansion,
        sum(case when in_base and ttm_now > 0 and ttm_now < ttm_then then ttm_then - ttm_now else 0 end)
            as contraction,
        sum(case when in_base and ttm_now <= 0 then ttm_then - ttm_now else 0 end) as churned,
        count(case when in_base and ttm_now <= 0 then 1 end) as churned_accounts,
        sum(case when in_base then ttm_now else 0 end) as retained_ttm_revenue,
        sum(case when bridge_class = 'new' then ttm_now else 0 end) as new_ttm_revenue,
        sum(case when bridge_class = 'won_back' then ttm_now else 0 end) as won_back_ttm_revenue,
        sum(case when bridge_class = 'other' then ttm_now else 0 end) as other_ttm_revenue,
        count(case when bridge_class = 'new' and ttm_now <> 0 then 1 end) as new_accounts,
        count(case when bridge_class = 'won_back' and ttm_now <> 0 then 1 end) as won_back_accounts,
        sum(ttm_now) as total_ttm_revenue
    from classified
    group by month
),

final as (
    select
        monthly.month,
        monthly.base_accounts,
        monthly.base_ttm_revenue,
        monthly.expansion,
        monthly.contraction,
        monthly.churned,
        monthly.retained_ttm_revenue,
        monthly.new_ttm_revenue,
        monthly.won_back_ttm_revenue,
        monthly.other_ttm_revenue,
        monthly.total_ttm_revenue,
        case
            when monthly.base_ttm_revenue > 0
                then cast(monthly.retained_ttm_revenue as double) / monthly.base_ttm_revenue
        end as nrr,
        case
            when monthly.base_ttm_revenue > 0
                then
                    cast(monthly.base_ttm_revenue - monthly.contraction - monthly.churned as double)
                    / monthly.base_ttm_revenue
        end as grr,
        monthly.churned_accounts,
        monthly.new_accounts,
        monthly.won_back_accounts,
        '{{ reporting_currency() }}' as reporting_currency,
        {{ dbt.last_day('monthly.month', 'month') }} <= as_of.as_of_date as is_complete
    from monthly
    cross join as_of
)

select * from final
