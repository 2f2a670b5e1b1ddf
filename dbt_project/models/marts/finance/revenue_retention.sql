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
    net_revenue_reporting over m-11 .. m. The bridge: macros/retention/revenue_retention.sql. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

-- each account month's TTM revenue now and twelve months before, computed once per account there
compared as (
    select
        account_id,
        month,
        first_purchase_date,
        ttm_revenue as ttm_now,
        ttm_revenue_year_before as ttm_then
    from {{ ref('int_account_months_attributed') }}
),

{{ revenue_bridge_ctes('compared', 'as_of') }}

select * from final
