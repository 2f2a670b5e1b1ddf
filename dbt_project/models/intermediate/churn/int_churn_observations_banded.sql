{#- Each account-quarter observation once per driver the data can measure, with its band: the long shape
    churn_drivers counts. A driver the data cannot measure has a null band (int_account_quarters_banded)
    and is left out, not shown as one band. -#}
{%- set drivers = [
    'complaint_handling', 'csat', 'contact_persons', 'post_sale_contact', 'discount', 'payment'
] %}

with

banded as (
    select * from {{ ref('int_account_quarters_banded') }}
),

long as (
    {%- for driver in drivers %}
        select
            account_id,
            quarter_start,
            '{{ driver }}' as driver,
            {{ driver }} as band,
            became_lost
        from banded
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        account_id,
        quarter_start,
        driver,
        band,
        became_lost
    from long
    where band is not null
)

select * from final
