{#- customer_base_rollforward per value of each breakdown attribute, with transfers. An account counts in
    the group of its value at each month end: an active account whose value changed during the month
    leaves the old group (transferred_out, where it was in the opening) and joins the new one
    (transferred_in), where its flows of the month (new, won back, lost) and its closing state count. So
    opening + new + won_back - lost + transferred_in - transferred_out = closing in every group and month
    (test assert_rollforward_by_attribute_balances), and summed over an attribute's values every figure
    equals customer_base_rollforward's, the transfers netting to zero (test
    assert_breakdowns_sum_to_their_parents). -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

transitions as (
    select * from {{ ref('lifecycle_transitions') }}
),

attributed as (
    select * from {{ ref('int_account_months_attributed') }}
),

months as (
    select
        month,
        max(snapshot_date) as closing_date
    from attributed
    group by month
),

account_flows as (
    select
        account_id,
        {{ period_start('month', 'changed_on') }} as month,
        {{ rollforward_flows() }}
    from transitions
    group by account_id, {{ period_start('month', 'changed_on') }}
),

-- the value and state at the month end and the month before's: int_account_months_attributed's
account_states as (
    {%- for attribute in breakdown_attributes() %}
        select
            '{{ attribute }}' as attribute,
            month,
            {{ attribute }}_at_month_end as attribute_value,
            case when is_active_at_month_end then 1 else 0 end as is_active,
            {{ attribute }}_month_before as value_before,
            case when was_active_month_before then 1 else 0 end as was_active
        from attributed
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- the few account months with a flow, in the group of the account's value at the month end
flows_attributed as (
    select
        {%- for attribute in breakdown_attributes() %}
            attributed.{{ attribute }}_at_month_end,
        {%- endfor %}
        account_flows.*
    from account_flows
    inner join attributed
        on account_flows.account_id = attributed.account_id and account_flows.month = attributed.month
),

contributions as (
    -- the group at the month end: the account's closing state, and its arrival from another group
    select
        attribute,
        attribute_value,
        month,
        case when value_before = attribute_value then was_active else 0 end as opening_active,
        0 as new_accounts,
        0 as won_back_accounts,
        0 as lost_accounts,
        case when value_before <> attribute_value then was_active else 0 end as transferred_in,
        0 as transferred_out,
        is_active as closing_active,
        cast(0 as decimal(38, 4)) as lost_ttm_revenue
    from account_states
    union all
    -- the same group: the account's flows of the month
    {%- for attribute in breakdown_attributes() %}
        select
            '{{ attribute }}' as attribute,
            {{ attribute }}_at_month_end as attribute_value,
            month,
            0 as opening_active,
            new_accounts,
            won_back_accounts,
            lost_accounts,
            0 as transferred_in,
            0 as transferred_out,
            0 as closing_active,
            coalesce(lost_ttm_revenue, cast(0 as decimal(38, 4))) as lost_ttm_revenue
        from flows_attributed
        union all
    {%- endfor %}
    -- the group it left: in that group's opening, and out again
    select
        attribute,
        value_before as attribute_value,
        month,
        1 as opening_active,
        0 as new_accounts,
        0 as won_back_accounts,
        0 as lost_accounts,
        0 as transferred_in,
        1 as transferred_out,
        0 as closing_active,
        cast(0 as decimal(38, 4)) as lost_ttm_revenue
    from account_states
    where was_active = 1 and value_before <> attribute_value
),

grouped as (
    select
        attribute,
        attribute_value,
        month,
        cast(sum(opening_active) as bigint) as opening_active,
        cast(sum(new_accounts) as bigint) as new_accounts,
        cast(sum(won_back_accounts) as bigint) as won_back_accounts,
        cast(sum(lost_accounts) as bigint) as lost_accounts,
        cast(sum(transferred_in) as bigint) as transferred_in,
        cast(sum(transferred_out) as bigint) as transferred_out,
        cast(sum(closing_active) as bigint) as closing_active,
        {{ sum_money('lost_ttm_revenue') }} as lost_ttm_revenue
    from contributions
    group by attribute, attribute_value, month
),

final as (
    select
        grouped.attribute,
        grouped.attribute_value,
        grouped.month,
        grouped.opening_active,
        grouped.new_accounts,
        grouped.won_back_accounts,
        grouped.lost_accounts,
        grouped.transferred_in,
        grouped.transferred_out,
        grouped.closing_active,
        grouped.lost_ttm_revenue,
        months.closing_date,
        {{ dbt.last_day('grouped.month', 'month') }} <= as_of.as_of_date as is_complete
    from grouped
    inner join months on grouped.month = months.month
    cross join as_of
)

select * from final
