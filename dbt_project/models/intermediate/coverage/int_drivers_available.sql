{#- Which churn drivers the data can measure. A driver whose events never occur in the warehouse is not
    measured at all (its bands would describe the missing data, not the customers: without payments every
    invoice looks unpaid, without contact events every account looks neglected). One row per driver. -#}
with

sales as (
    select * from {{ ref('stg_sales__events') }}
),

service as (
    select * from {{ ref('stg_service__events') }}
),

contact as (
    select * from {{ ref('stg_contact__events') }}
),

sales_seen as (
    select
        count(case when event_type = 'order_placed' then 1 end) as orders,
        count(case when event_type = 'payment_received' then 1 end) as payments
    from sales
),

service_seen as (
    select
        count(case when event_type = 'ticket_opened' then 1 end) as tickets,
        count(case when event_type = 'satisfaction_rated' then 1 end) as ratings
    from service
),

contact_seen as (
    select count(*) as contacts from contact
),

final as (
    {%- for driver, stream, seen, count, missing in [
        ('complaint_handling', 'service', 'service_seen', 'tickets', 'no tickets (service: ticket_opened)'),
        ('csat', 'service', 'service_seen', 'ratings', 'no satisfaction ratings (service: satisfaction_rated)'),
        ('contact_persons', 'contact', 'contact_seen', 'contacts', 'no contact events'),
        ('post_sale_contact', 'contact', 'contact_seen', 'contacts', 'no contact events'),
        ('discount', 'sales', 'sales_seen', 'orders', 'no orders (sales: order_placed)'),
        ('payment', 'sales', 'sales_seen', 'payments', 'no payments (sales: payment_received)'),
    ] %}
        select
            '{{ driver }}' as driver,
            '{{ stream }}' as stream,
            {{ count }} > 0 as is_available,
            '{{ missing }}' as missing
        from {{ seen }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
