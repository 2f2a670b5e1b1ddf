{#- cohort_retention per value of each breakdown attribute: an account counts in the group of the value it
    had on its first purchase day, for every period of its cohort (a later change of segment does not move
    a cohort's accounts). Summed over an attribute's values, every cell equals cohort_retention's (test
    assert_breakdowns_sum_to_their_parents). -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

account_months as (
    select
        account_id,
        month,
        first_purchase_date,
        n_purchase_days,
        revenue,
        is_active_at_month_end,
        attribute,
        cohort_attribute_value as attribute_value
    from {{ ref('int_account_months_attributed') }}
),

{{ cohort_retention_ctes('account_months', 'as_of', by=['attribute', 'attribute_value']) }}

select * from final
