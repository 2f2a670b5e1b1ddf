{#- account_months once per breakdown attribute (macro breakdown_attributes: the columns below), with the
    attribute's value at the month end (snapshot_date) and at the account's first purchase day; 'unknown'
    when the CRM had not set it then. The base of the by-attribute marts. -#}
with

account_months as (
    select * from {{ ref('account_months') }}
),

history as (
    select * from {{ ref('account_attributes_history') }}
),

first_purchases as (
    select distinct
        account_id,
        first_purchase_date
    from account_months
    where first_purchase_date is not null
),

at_first_purchase as (
    select
        first_purchases.account_id,
        history.segment,
        history.industry,
        history.region,
        history.owner_rep_id
    from first_purchases
    inner join history
        on {{ attributes_in_effect(
            'history', 'first_purchases.account_id', 'first_purchases.first_purchase_date') }}
),

at_month_end as (
    select
        account_months.*,
        history.segment as segment_at_month_end,
        at_first_purchase.segment as segment_at_first_purchase,
        history.industry as industry_at_month_end,
        at_first_purchase.industry as industry_at_first_purchase,
        history.region as region_at_month_end,
        at_first_purchase.region as region_at_first_purchase,
        history.owner_rep_id as owner_rep_id_at_month_end,
        at_first_purchase.owner_rep_id as owner_rep_id_at_first_purchase
    from account_months
    left join history
        on {{ attributes_in_effect('history', 'account_months.account_id', 'account_months.snapshot_date') }}
    left join at_first_purchase on account_months.account_id = at_first_purchase.account_id
),

final as (
    {%- for attribute in breakdown_attributes() %}
        select
            account_id,
            month,
            snapshot_date,
            first_purchase_date,
            n_purchase_days,
            revenue,
            is_active_at_month_end,
            '{{ attribute }}' as attribute,
            coalesce({{ attribute }}_at_month_end, 'unknown') as attribute_value,
            coalesce({{ attribute }}_at_first_purchase, 'unknown') as cohort_attribute_value
        from at_month_end
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
