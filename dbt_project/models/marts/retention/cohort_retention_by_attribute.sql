{#- cohort_retention per value of each breakdown attribute: an account counts in the group of the value it
    had on its first purchase day, for every period of its cohort (a later change of segment does not move
    a cohort's accounts). Summed over an attribute's values, every cell equals cohort_retention's (test
    assert_breakdowns_sum_to_their_parents). The account periods (int_account_periods_summarized) are
    repeated per attribute; the cells: macros/retention/cohort_retention.sql. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

account_periods as (
    select * from {{ ref('int_account_periods_summarized') }}
),

attributed_periods as (
    {%- for attribute in breakdown_attributes() %}
        select
            '{{ attribute }}' as attribute,
            {{ attribute }}_at_first_purchase as attribute_value,
            period_grain,
            account_id,
            cohort,
            period_start,
            is_purchasing,
            is_retained,
            revenue
        from account_periods
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

{{ cohort_cells_ctes('attributed_periods', 'as_of', by=['attribute', 'attribute_value']) }}

select * from final
