{#- The churn-driver signals (macros/churn/driver_signals.sql) of every account on the day after the as-of
    date: what the accounts mart shows as "now", with the latest contact at any age. Incremental by
    account: a build re-measures the accounts whose signals can have changed and moves the others' rows to
    the new measuring day (macros/churn/current_signals.sql). -#}
{{ incremental_by_account(pre_hook=["{{ delete_remeasured_accounts() }}", "{{ move_measured_rows() }}"]) }}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

first_seen as (
    select * from {{ ref('int_accounts_first_seen') }}
),

service as (
    select * from {{ ref('stg_service__events') }}
),

contact as (
    select * from {{ ref('stg_contact__events') }}
),

invoices as (
    select * from {{ ref('int_invoices_settled') }}
),

purchases as (
    select * from {{ ref('int_purchases_identified') }}
),

points as (
    select
        first_seen.account_id,
        {{ add_days('as_of.as_of_date', 1) }} as measured_on
    from first_seen
    cross join as_of
    where {{ remeasured_accounts_only('first_seen.account_id') }}
),

{{ driver_signal_ctes(
    points='points', service='service', contact='contact', invoices='invoices', purchases='purchases',
    with_last_contact=true,
) }}

select * from final
