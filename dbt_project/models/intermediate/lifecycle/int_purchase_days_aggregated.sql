{#- Purchase days: distinct reporting-timezone dates with at least one purchase. Stage rules count these.
    Incremental by account (macros/incremental/touched_accounts.sql). -#}
{{ incremental_by_account() }}
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
    where {{ touched_accounts_only('account_id') }}
)

select
    account_id,
    purchase_date,
    n_orders,
    event_id as first_purchase_event_id
from ranked
where order_rank = 1
