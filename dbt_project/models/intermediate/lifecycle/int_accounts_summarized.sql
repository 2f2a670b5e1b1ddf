{#- Every account's totals over its whole history, which `accounts` shows beside the stage: purchase
    days and their gaps, lifetime revenue, contact persons, tickets and the last CSAT rating. A column is
    null where the account has no row of its kind (no purchase day, no revenue line, no contact, no
    ticket, no rating). Contact and service events count up to the as-of date.
    Incremental by account (macros/incremental/touched_accounts.sql): each total is a function of the
    account's own events. The as-of date cuts no untouched account's events: by default it is the latest
    event date of all accounts, and a set as_of_date is a lifecycle var, whose change rebuilds every
    account. -#}
{{ incremental_by_account() }}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

first_seen as (
    select * from {{ ref('int_accounts_first_seen') }}
    where {{ touched_accounts_only('account_id') }}
),

gaps as (
    select * from {{ ref('int_purchase_days_gapped') }}
    where {{ touched_accounts_only('account_id') }}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
    where {{ touched_accounts_only('account_id') }}
),

contact_events as (
    select * from {{ ref('stg_contact__events') }}
    where {{ touched_accounts_only('account_id') }}
),

service_events as (
    select * from {{ ref('stg_service__events') }}
    where {{ touched_accounts_only('account_id') }}
),

purchases as (
    select
        account_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        cast(sum(n_orders) as bigint) as n_orders,
        count(*) as n_purchase_days,
        count(gap_days) as n_gaps,
        {{ percentile_cont('gap_days', 0.5) }} as median_gap_days,
        max(case when purchase_day_rank = 2 then gap_days end) as days_to_second_purchase
    from gaps
    group by account_id
),

revenue as (
    select
        account_id,
        {{ sum_money('amount_reporting') }} as lifetime_revenue
    from revenue_lines
    group by account_id
),

contact as (
    select
        contact_events.account_id,
        count(distinct contact_events.contact_person_key) as n_contact_persons,
        max(contact_events.occurred_on) as last_contact_date
    from contact_events
    inner join as_of on contact_events.occurred_on <= as_of.as_of_date
    group by contact_events.account_id
),

ticket_events as (
    select
        service_events.*,
        row_number() over (
            partition by service_events.account_id, service_events.ticket_id
            order by case
                when service_events.event_type in {{ ticket_status_events() }}
                    then 0
                else 1
            end, service_events.occurred_at_utc desc, service_events.event_id desc
        ) as status_rank
    from service_events
    inner join as_of on service_events.occurred_on <= as_of.as_of_date
),

tickets as (
    select
        account_id,
        ticket_id,
        max(case when event_type = 'ticket_opened' then category end) as category,
        max(case when status_rank = 1 then event_type end) as last_status_event
    from ticket_events
    group by account_id, ticket_id
),

service as (
    select
        account_id,
        count(*) as n_tickets,
        count(case when {{ ticket_is_open('last_status_event') }} then 1 end)
            as open_tickets,
        count(case when category = 'complaint' then 1 end) as complaints,
        count(case
            when category = 'complaint' and {{ ticket_is_open('last_status_event') }}
                then 1
        end) as open_complaints
    from tickets
    group by account_id
),

ratings as (
    select
        account_id,
        csat_score,
        row_number()
            over (partition by account_id order by occurred_at_utc desc, event_id desc)
            as rating_rank
    from ticket_events
    where event_type = 'satisfaction_rated'
),

final as (
    select
        first_seen.account_id,
        purchases.first_purchase_date,
        purchases.last_purchase_date,
        purchases.n_orders,
        purchases.n_purchase_days,
        purchases.n_gaps,
        purchases.median_gap_days,
        purchases.days_to_second_purchase,
        revenue.lifetime_revenue,
        contact.n_contact_persons,
        contact.last_contact_date,
        service.n_tickets,
        service.open_tickets,
        service.complaints,
        service.open_complaints,
        ratings.csat_score as last_csat
    from first_seen
    left join purchases on first_seen.account_id = purchases.account_id
    left join revenue on first_seen.account_id = revenue.account_id
    left join contact on first_seen.account_id = contact.account_id
    left join service on first_seen.account_id = service.account_id
    left join ratings on first_seen.account_id = ratings.account_id and ratings.rating_rank = 1
)

select * from final
