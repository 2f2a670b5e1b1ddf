{#- Every account's purchase days with their value: the net revenue (invoices minus credit notes, in the
    reporting currency) of the orders placed that day. Incremental by account
    (macros/incremental/touched_accounts.sql): a day's value changes only with its account's purchases or
    revenue lines, which the touched accounts cover. -#}
{{ incremental_by_account() }}
with

purchases as (
    select * from {{ ref('int_purchases_identified') }}
    where {{ touched_accounts_only('account_id') }}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
    where {{ touched_accounts_only('account_id') }}
),

order_revenue as (
    select
        account_id,
        order_id,
        sum(amount_reporting) as revenue
    from revenue_lines
    group by account_id, order_id
),

final as (
    select
        purchases.account_id,
        purchases.purchase_date,
        cast(count(*) as bigint) as orders,
        {{ sum_money('coalesce(order_revenue.revenue, 0)') }} as revenue
    from purchases
    left join order_revenue
        on purchases.account_id = order_revenue.account_id and purchases.order_id = order_revenue.order_id
    group by purchases.account_id, purchases.purchase_date
)

select * from final
