{#- Every invoice with the day it falls due (issue date + payment terms) and the day of its first payment:
    what the payment signal of the churn drivers measures (macros/churn/driver_signals.sql). Incremental by
    account (macros/incremental/touched_accounts.sql): an invoice's dates change only with its account's
    sales events, which the touched accounts cover. -#}
{{ incremental_by_account() }}
with

sales as (
    select * from {{ ref('stg_sales__events') }}
    where {{ touched_accounts_only('account_id') }}
),

issued as (
    select
        account_id,
        invoice_id,
        {{ add_days('min(occurred_on)', 'coalesce(max(payment_terms_days), 0)') }} as due_on
    from sales
    where event_type = 'invoice_issued'
    group by account_id, invoice_id
),

paid as (
    select
        account_id,
        invoice_id,
        min(occurred_on) as paid_on
    from sales
    where event_type = 'payment_received'
    group by account_id, invoice_id
),

final as (
    select
        issued.account_id,
        issued.invoice_id,
        issued.due_on,
        paid.paid_on
    from issued
    left join paid
        on issued.account_id = paid.account_id and issued.invoice_id = paid.invoice_id
)

select * from final
