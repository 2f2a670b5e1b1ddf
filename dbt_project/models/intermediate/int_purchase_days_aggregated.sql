{#- Purchase days: distinct reporting-timezone dates with at least one purchase. Stage rules count these. -#}
with

ranked as (
    select
        account_id,
        purchase_date,
        event_id,
        row_number() over (
            partition by account_id, purchase_date order by occurred_at_utc, event_id
        ) as order_rank,
        count(*) over (partition by account_id, purchase_date) as n_orders
    from {{ ref('int_purchases_identified') }}
)

select
    account_id,
    purchase_date,
    n_orders,
    event_id as first_purchase_event_id
from ranked
where order_rank = 1
