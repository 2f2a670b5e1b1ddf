{#- The trailing-twelve-month revenue bridge per month (revenue_retention; documented there), and per
    attribute value (revenue_retention_by_attribute).
    `compared`: a relation with account_id, month, first_purchase_date, each account month's TTM revenue
    now (ttm_now) and twelve months before (ttm_then: int_account_months_attributed's); with
    `by_attribute`, also attribute, attribute_value at the month end and value_then at m-12. By
    attribute, an account in the base counts in the group of its value at the base month (m-12), so the
    bridge compares the same accounts; an account outside the base in the group of its value at m.
    `as_of`: a relation with as_of_date. Renders CTEs ending in `final`. -#}
{% macro revenue_bridge_ctes(compared, as_of, by_attribute=false) -%}
    {%- set g_ = 'attribute, attribute_value, ' if by_attribute else '' -%}
classified as (
    select
        {%- if by_attribute %}
            attribute,
            case when ttm_then > 0 then value_then else attribute_value end as attribute_value,
        {%- endif %}
        account_id,
        month,
        ttm_now,
        ttm_then,
        ttm_then > 0 as in_base,
        case
            when ttm_then > 0 then 'base'
            when first_purchase_date is null or first_purchase_date > {{ dbt.last_day('month', 'month') }}
                then 'other'
            when first_purchase_date >= {{ add_months('month', -11) }} then 'new'
            else 'won_back'
        end as bridge_class
    from {{ compared }}
),

monthly as (
    select
        {{ g_ }}month,
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
    group by {{ g_ }}month
),

final as (
    select
        {{ 'monthly.attribute, monthly.attribute_value, ' if by_attribute }}monthly.month,
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
        {{ dbt.last_day('monthly.month', 'month') }} <= {{ as_of }}.as_of_date as is_complete
    from monthly
    cross join {{ as_of }}
)
{%- endmacro %}
