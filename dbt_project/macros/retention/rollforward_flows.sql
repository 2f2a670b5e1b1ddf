{#- The roll-forward's flows counted from a relation of lifecycle_transitions, as aggregate columns (group
    by the month of changed_on, and whatever else): new, won back and lost accounts, and the revenue the
    losses take away. One definition for customer_base_rollforward and its breakdown. -#}
{% macro rollforward_flows() -%}
        count(case
            when (from_stage is null or from_stage = 'prospect') and {{ is_active('to_stage') }} then 1
        end) as new_accounts,
        count(case when from_stage = 'lost' and {{ is_active('to_stage') }} then 1 end)
            as won_back_accounts,
        count(case when {{ is_active('from_stage') }} and to_stage = 'lost' then 1 end)
            as lost_accounts,
        {{ sum_money("case when to_stage = 'lost' then lost_ttm_revenue end") }} as lost_ttm_revenue
{%- endmacro %}
