{#- Each observed account-quarter (int_account_quarters_observed) with its band of every churn driver
    (int_driver_signals_measured), null where the data cannot measure the driver (int_drivers_available):
    the wide shape churn_observations publishes and int_churn_observations_banded unpivots. -#}
with

account_quarters as (
    select * from {{ ref('int_account_quarters_observed') }}
),

signals as (
    select * from {{ ref('int_driver_signals_measured') }}
),

measurable as (
    {{ drivers_measurable(ref('int_drivers_available')) }}
),

final as (
    select
        account_quarters.account_id,
        account_quarters.quarter_start,
        account_quarters.stage_at_start,
        account_quarters.became_lost,
        {%- for driver, column in [
            ('complaint_handling', 'complaint_handling'),
            ('csat', 'csat'),
            ('contact_persons', 'contact_persons_band'),
            ('post_sale_contact', 'post_sale_contact'),
            ('discount', 'discount'),
            ('payment', 'payment'),
        ] %}
            case when measurable.{{ driver }} then signals.{{ column }} end as {{ driver }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from account_quarters
    inner join signals
        on
            account_quarters.account_id = signals.account_id
            and account_quarters.quarter_start = signals.measured_on
    cross join measurable
)

select * from final
