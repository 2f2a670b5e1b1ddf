{#- The churn-driver signals (macros/churn/driver_signals.sql) at every quarter start an account is observed
    (int_account_quarters_observed): what churn_drivers reads.
    Incremental (macros/incremental/touched_accounts.sql): the signals of an account at a quarter start depend on
    its events alone. The pre-hook deletes the touched accounts' rows and the quarter starts no longer
    observed (the as-of date went back); a build then computes the observed pairs the table does not hold:
    every pair of a touched account, and the quarter starts the as-of date has newly reached. An untouched
    account's history is unchanged, so its observed quarters change in no other way. -#}
{{ incremental_by_account(pre_hook="{{ delete_touched_accounts(
    also='measured_on not in (select quarter_start from ' ~ ref('int_account_quarters_observed') ~ ')'
) }}") }}

with

account_quarters as (
    select * from {{ ref('int_account_quarters_observed') }}
),

service_events as (
    select * from {{ ref('stg_service__events') }}
),

contact_events as (
    select * from {{ ref('stg_contact__events') }}
),

invoices_settled as (
    select * from {{ ref('int_invoices_settled') }}
),

purchases_identified as (
    select * from {{ ref('int_purchases_identified') }}
),

points as (
    select
        account_quarters.account_id,
        account_quarters.quarter_start as measured_on
    from account_quarters
    {% if is_incremental() %}
        left join {{ this }} as built
            on
                account_quarters.account_id = built.account_id
                and account_quarters.quarter_start = built.measured_on
        where built.account_id is null
    {% endif %}
),

service as (
    select service_events.* from service_events
    where service_events.account_id in (select points.account_id from points)
),

contact as (
    select contact_events.* from contact_events
    where contact_events.account_id in (select points.account_id from points)
),

invoices as (
    select invoices_settled.* from invoices_settled
    where invoices_settled.account_id in (select points.account_id from points)
),

purchases as (
    select purchases_identified.* from purchases_identified
    where purchases_identified.account_id in (select points.account_id from points)
),

{{ driver_signal_ctes(
    points='points', service='service', contact='contact', invoices='invoices', purchases='purchases'
) }}

select * from final
