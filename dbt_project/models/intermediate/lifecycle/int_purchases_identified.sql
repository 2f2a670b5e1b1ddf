{#- A purchase is an order_placed whose order has no order_cancelled (up to the as-of date).
    Incremental by account (macros/incremental/touched_accounts.sql). -#}
{{ incremental_by_account() }}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

sales as (
    select sales.*
    from {{ ref('stg_sales__events') }} as sales
    inner join as_of on sales.occurred_on <= as_of.as_of_date
    where {{ touched_accounts_only('sales.account_id') }}
),

orders as (
    select * from sales
    where event_type = 'order_placed'
),

cancelled_orders as (
    select distinct
        account_id,
        order_id
    from sales
    where event_type = 'order_cancelled'
)

select
    orders.account_id,
    orders.order_id,
    orders.event_id,
    orders.occurred_at_utc,
    orders.occurred_on as purchase_date,
    orders.amount,
    orders.discount_amount,
    orders.currency
from orders
left join cancelled_orders
    on orders.account_id = cancelled_orders.account_id and orders.order_id = cancelled_orders.order_id
where cancelled_orders.order_id is null
