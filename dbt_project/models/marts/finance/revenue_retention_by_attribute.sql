{#- revenue_retention per value of each breakdown attribute. The accounts of a month's base count in the
    group of their value at the base month (m-12), so each group's bridge follows the same accounts from
    then to now; accounts outside the base (new, won back, other) in the group of their value at m.
    Summed over an attribute's values, every figure equals revenue_retention's (test
    assert_breakdowns_sum_to_their_parents); nrr and grr are the group's own ratios. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

account_months as (
    select
        account_id,
        month,
        first_purchase_date,
        revenue,
        attribute,
        attribute_value
    from {{ ref('int_account_months_attributed') }}
),

{{ revenue_retention_ctes('account_months', 'as_of', by_attribute=true) }}

select * from final
