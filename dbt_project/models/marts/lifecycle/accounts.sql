{#- One row per account: current stage, purchase history, revenue, risk and relationship signals. -#}
{%- set factor = validated_setting('at_risk_factor', '^[0-9]+([.][0-9]+)?$', 'a number > 0') -%}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

first_seen as (
    select * from {{ ref('int_accounts_first_seen') }}
),

current_stage as (
    select
        account_id,
        stage as current_stage,
        valid_from as stage_since
    from {{ ref('lifecycle_history') }}
    where valid_to is null
),

purchase_days as (
    select
        account_id,
        purchase_date,
        n_orders,
        {{ day_number('purchase_date') }}
        - lag({{ day_number('purchase_date') }})
            over (partition by account_id order by purchase_date)
            as gap_days,
        row_number() over (partition by account_id order by purchase_date) as purchase_day_rank
    from {{ ref('int_purchase_days_aggregated') }}
),

purchases as (
    select
        account_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        sum(n_orders) as n_orders,
        count(*) as n_purchase_days,
        count(gap_days) as n_gaps,
        {{ percentile_cont('gap_days', 0.5) }} as median_gap_days
    from purchase_days
    group by account_id
),

-- first buyers are overdue past the 90th percentile of time to a second purchase day
second_purchase as (
    select {{ percentile_cont('gap_days', 0.9) }} as p90_days_to_second_purchase
    from purchase_days
    where purchase_day_rank = 2
),

revenue as (
    select
        account_id,
        sum(amount_reporting) as lifetime_revenue
    from {{ ref('int_revenue_lines_converted') }}
    group by account_id
),

contact as (
    select
        contact.account_id,
        count(distinct contact.contact_person_key) as n_contact_persons,
        count(distinct case
            when
                contact.occurred_on > {{ add_days('as_of.as_of_date', -365) }}
                then contact.contact_person_key
        end) as n_contact_persons_12m,
        max(contact.occurred_on) as last_contact_date
    from {{ ref('stg_contact__events') }} as contact
    inner join as_of on contact.occurred_on <= as_of.as_of_date
    group by contact.account_id
),

ticket_events as (
    select
        service.*,
        row_number() over (
            partition by service.account_id, service.ticket_id
            order by case
                when service.event_type in ('ticket_opened', 'ticket_resolved', 'ticket_reopened')
                    then 0
                else 1
            end, service.occurred_at_utc desc, service.event_id desc
        ) as status_rank
    from {{ ref('stg_service__events') }} as service
    inner join as_of on service.occurred_on <= as_of.as_of_date
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
        sum(case when last_status_event in ('ticket_opened', 'ticket_reopened') then 1 else 0 end)
            as open_tickets,
        sum(case when category = 'complaint' then 1 else 0 end) as complaints,
        sum(case
            when category = 'complaint' and last_status_event in ('ticket_opened', 'ticket_reopened')
                then 1
            else 0
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
)

select
    first_seen.account_id,
    current_stage.current_stage,
    current_stage.stage_since,
    first_seen.first_seen_on,
    purchases.first_purchase_date,
    purchases.last_purchase_date,
    coalesce(purchases.n_orders, 0) as n_orders,
    coalesce(purchases.n_purchase_days, 0) as n_purchase_days,
    coalesce(revenue.lifetime_revenue, 0) as lifetime_revenue,
    '{{ reporting_currency() }}' as reporting_currency,
    {{ day_number('as_of.as_of_date') }} - {{ day_number('purchases.last_purchase_date') }}
        as days_since_last_purchase,
    purchases.median_gap_days,
    coalesce(
        {{ is_active('current_stage.current_stage') }}
        and (
            (
                purchases.n_gaps >= 2
                and {{ day_number('as_of.as_of_date') }} - {{ day_number('purchases.last_purchase_date') }}
                > {{ factor }} * purchases.median_gap_days
            )
            or (
                purchases.n_purchase_days = 1
                and {{ day_number('as_of.as_of_date') }} - {{ day_number('purchases.last_purchase_date') }}
                > second_purchase.p90_days_to_second_purchase
            )
        ),
        false
    ) as at_risk,
    coalesce(contact.n_contact_persons, 0) as n_contact_persons,
    coalesce(contact.n_contact_persons_12m, 0) as n_contact_persons_12m,
    contact.last_contact_date,
    coalesce(service.n_tickets, 0) as n_tickets,
    coalesce(service.open_tickets, 0) as open_tickets,
    coalesce(service.complaints, 0) as complaints,
    coalesce(service.open_complaints, 0) as open_complaints,
    ratings.csat_score as last_csat,
    as_of.as_of_date
from first_seen
cross join as_of
cross join second_purchase
left join current_stage on first_seen.account_id = current_stage.account_id
left join purchases on first_seen.account_id = purchases.account_id
left join revenue on first_seen.account_id = revenue.account_id
left join contact on first_seen.account_id = contact.account_id
left join service on first_seen.account_id = service.account_id
left join ratings on first_seen.account_id = ratings.account_id and ratings.rating_rank = 1
