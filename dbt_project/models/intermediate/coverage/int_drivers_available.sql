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
    select
        'complaint_handling' as driver,
        'service' as stream,
        tickets > 0 as is_available,
        'no tickets (service: ticket_opened)' as missing
    from service_seen
    union all
    select
        'csat' as driver,
        'service' as stream,
        ratings > 0 as is_available,
        'no satisfaction ratings (service: satisfaction_rated)' as missing
    from service_seen
    union all
    select
        'contact_persons' as driver,
        'contact' as stream,
        contacts > 0 as is_available,
        'no contact events' as missing
    from contact_seen
    union all
    select
        'post_sale_contact' as driver,
        'contact' as stream,
        contacts > 0 as is_available,
        'no contact events' as missing
    from contact_seen
    union all
    select
        'discount' as driver,
        'sales' as stream,
        orders > 0 as is_available,
        'no orders (sales: order_placed)' as missing
    from sales_seen
    union all
    select
        'payment' as driver,
        'sales' as stream,
        payments > 0 as is_available,
        'no payments (sales: payment_received)' as missing
    from sales_seen
)

select * from final
