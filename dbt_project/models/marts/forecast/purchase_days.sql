{#- Every account's purchase days with their value: the net revenue (invoices minus credit notes, in the
    reporting currency, as booked by the as-of date) of the orders placed that day. The purchase forecasts
    are fitted on these rows in Python (pipelines/forecast/): purchase_model_parameters, account_forecasts
    and forecast_backtest. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

purchases as (
    select * from {{ ref('int_purchases_identified') }}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
),

order_revenue as (
    select
        account_id,
        order_id,
        sum(amount_reporting) as revenue
    from revenue_lines
    group by account_id, order_id
),

valued as (
    select
        purchases.account_id,
        purchases.purchase_date,
        count(*) as orders,
        {{ sum_money('coalesce(order_revenue.revenue, 0)') }} as revenue
    from purchases
    left join order_revenue
        on purchases.account_id = order_revenue.account_id and purchases.order_id = order_revenue.order_id
    group by purchases.account_id, purchases.purchase_date
),

final as (
    select
        valued.account_id,
        valued.purchase_date,
        cast(valued.orders as bigint) as orders,
        valued.revenue,
        as_of.as_of_date
    from valued
    cross join as_of
)

select * from final
