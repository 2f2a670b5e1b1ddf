{#- revenue_retention per value of each breakdown attribute. The accounts of a month's base count in the
    group of their value at the base month (m-12), so each group's bridge follows the same accounts from
    then to now; accounts outside the base (new, won back, other) in the group of their value at m.
    Summed over an attribute's values, every figure equals revenue_retention's (test
    assert_breakdowns_sum_to_their_parents); nrr and grr are the group's own ratios. The TTM windows are
    int_account_months_attributed's; the bridge: macros/retention/revenue_retention.sql. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

attributed as (
    select * from {{ ref('int_account_months_attributed') }}
),

compared as (
    {%- for attribute in breakdown_attributes() %}
        select
            '{{ attribute }}' as attribute,
            {{ attribute }}_at_month_end as attribute_value,
            {{ attribute }}_year_before as value_then,
            account_id,
            month,
            first_purchase_date,
            ttm_revenue as ttm_now,
            ttm_revenue_year_before as ttm_then
        from attributed
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

{{ revenue_bridge_ctes('compared', 'as_of', by_attribute=true) }}

select * from final
