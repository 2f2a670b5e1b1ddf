{#- Each account-quarter observation once per driver the data can measure, with its band: the long shape
    churn_drivers counts. -#}
{%- set drivers = [
    ('complaint_handling', 'complaint_handling'),
    ('csat', 'csat'),
    ('contact_persons', 'contact_persons_band'),
    ('post_sale_contact', 'post_sale_contact'),
    ('discount', 'discount'),
    ('payment', 'payment'),
] %}

with

account_quarters as (
    select * from {{ ref('int_account_quarters_observed') }}
),

signals as (
    select * from {{ ref('int_driver_signals_measured') }}
),

drivers as (
    select * from {{ ref('int_drivers_available') }}
),

measured as (
    select
        account_quarters.account_id,
        account_quarters.quarter_start,
        account_quarters.became_lost,
        -- the band columns of `drivers` above (signals.* would repeat account_id, which Spark refuses)
        signals.complaint_handling,
        signals.csat,
        signals.contact_persons_band,
        signals.post_sale_contact,
        signals.discount,
        signals.payment
    from account_quarters
    inner join signals
        on
            account_quarters.account_id = signals.account_id
            and account_quarters.quarter_start = signals.measured_on
),

long as (
    {%- for driver, column in drivers %}
        select
            account_id,
            quarter_start,
            '{{ driver }}' as driver,
            {{ column }} as band,
            became_lost
        from measured
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- a driver the data cannot measure is left out (int_drivers_available), not shown as one band
final as (
    select
        long.account_id,
        long.quarter_start,
        long.driver,
        long.band,
        long.became_lost
    from long
    inner join drivers on long.driver = drivers.driver
    where drivers.is_available
)

select * from final
