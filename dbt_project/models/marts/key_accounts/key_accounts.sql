{#- Accounts ranked by trailing-12-month revenue at the as-of date (revenue booked in the 12 months up to
    and including it, reporting currency), with the share of all TTM revenue up to each rank and the risk
    signals of the accounts mart and the purchase forecasts' P(alive) and revenue at risk. Key accounts: the top key_account_share of accounts with TTM revenue
    above 0 (rounded up, at least one). -#}
{%- set share = validated_setting('key_account_share', '^(0?[.][0-9]+|1([.]0+)?)$', 'a number in (0, 1]') %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
),

accounts as (
    select * from {{ ref('accounts') }}
),

forecasts as (
    select * from {{ ref('stg_forecasts__account_forecasts') }}
),

ttm as (
    select
        revenue_lines.account_id,
        {{ sum_money('revenue_lines.amount_reporting') }} as ttm_revenue
    from revenue_lines
    cross join as_of
    where revenue_lines.booked_on > {{ add_months('as_of.as_of_date', -12) }}
    group by revenue_lines.account_id
    having sum(revenue_lines.amount_reporting) > 0
),

ranked as (
    select
        account_id,
        ttm_revenue,
        cast(row_number() over (order by ttm_revenue desc, account_id asc) as bigint) as revenue_rank,
        sum(ttm_revenue) over (
            order by ttm_revenue desc, account_id asc rows between unbounded preceding and current row
        ) as cumulative_revenue,
        sum(ttm_revenue) over () as total_ttm_revenue,
        count(*) over () as ranked_accounts
    from ttm
),

final as (
    select
        ranked.account_id,
        ranked.revenue_rank,
        ranked.ttm_revenue,
        '{{ reporting_currency() }}' as reporting_currency,
        ranked.cumulative_revenue,
        cast(ranked.cumulative_revenue as double)
        / cast(ranked.total_ttm_revenue as double) as cumulative_share,
        cast(ranked.revenue_rank as double) / ranked.ranked_accounts as account_share,
        ranked.revenue_rank <= ceil(ranked.ranked_accounts * {{ share }}) as is_key_account,
        accounts.current_stage,
        accounts.at_risk,
        forecasts.p_alive,
        forecasts.revenue_at_risk,
        accounts.single_contact_person,
        accounts.recent_contact_persons,
        accounts.days_since_last_contact,
        accounts.post_sale_contact,
        accounts.open_complaints,
        accounts.complaint_handling,
        accounts.last_csat,
        accounts.days_since_last_purchase,
        accounts.account_name,
        accounts.segment,
        accounts.industry,
        accounts.region,
        accounts.owner_rep_id
    from ranked
    inner join accounts on ranked.account_id = accounts.account_id
    left join forecasts on ranked.account_id = forecasts.account_id
)

select * from final
