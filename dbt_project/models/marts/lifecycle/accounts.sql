{#- One row per account: current stage, purchase history, revenue, the at-risk flag and the signals that
    say who needs a call this week (the churn-driver signals measured now, int_current_signals_measured:
    over the driver_lookback_months up to the as-of date, as churn_drivers measures them).
    At risk: buying, and days since the last purchase day > at_risk_factor x the expected gap, which is the
    account's median gap between purchase days when it has one or more gaps (a single gap is its own
    median), or, for first buyers, the 90th percentile of days to a second purchase day among accounts
    that made one. p_alive: the purchase forecasts' probability that the account still buys (Python fits
    them on purchase_days in the same run, before this model; account_forecasts). account_name .. owner_rep_id:
    the CRM's current account master (account_attributes_history). -#}
{%- set factor = validated_setting('at_risk_factor', '^[0-9]+([.][0-9]+)?$', 'a number > 0') -%}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

first_seen as (
    select * from {{ ref('int_accounts_first_seen') }}
),

history as (
    select * from {{ ref('lifecycle_history') }}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
),

signals_now as (
    select * from {{ ref('int_current_signals_measured') }}
),

forecasts as (
    select * from {{ ref('stg_forecasts__account_forecasts') }}
),

contact_events as (
    select * from {{ ref('stg_contact__events') }}
),

attributes as (
    select * from {{ ref('account_attributes_history') }}
    where valid_to is null
),

service_events as (
    select * from {{ ref('stg_service__events') }}
),

-- a driver the data cannot measure has no band here (null), not the band its missing events would give:
-- without payments every invoice looks late, without contact events every account neglected
measurable as (
    {{ drivers_measurable(ref('int_drivers_available')) }}
),

current_stage as (
    select
        account_id,
        stage as current_stage,
        valid_from as stage_since
    from history
    where valid_to is null
),

gaps as (
    select * from {{ ref('int_purchase_days_gapped') }}
),

purchases as (
    select
        account_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        cast(sum(n_orders) as bigint) as n_orders,
        count(*) as n_purchase_days,
        count(gap_days) as n_gaps,
        {{ percentile_cont('gap_days', 0.5) }} as median_gap_days
    from gaps
    group by account_id
),

-- first buyers are overdue past the 90th percentile of time to a second purchase day
second_purchase as (
    select {{ percentile_cont('gap_days', 0.9) }} as p90_days_to_second_purchase
    from gaps
    where purchase_day_rank = 2
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

expected as (
    select
        purchases.account_id,
        {{ day_number('as_of.as_of_date') }} - {{ day_number('purchases.last_purchase_date') }}
            as days_since_last_purchase,
        case
            when purchases.n_gaps >= 1 then purchases.median_gap_days
            else second_purchase.p90_days_to_second_purchase
        end as expected_gap_days,
        case
            when purchases.n_gaps >= 1 then {{ factor }} * purchases.median_gap_days
            else second_purchase.p90_days_to_second_purchase
        end as overdue_after_days
    from purchases
    cross join as_of
    cross join second_purchase
),

final as (
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
        expected.days_since_last_purchase,
        purchases.median_gap_days,
        expected.expected_gap_days,
        expected.overdue_after_days,
        coalesce(
            {{ is_active('current_stage.current_stage') }}
            and expected.days_since_last_purchase > expected.overdue_after_days,
            false
        ) as at_risk,
        forecasts.p_alive,
        coalesce(contact.n_contact_persons, 0) as n_contact_persons,
        case
            when measurable.contact_persons then signals_now.contact_persons
        end as recent_contact_persons,
        case
            when measurable.contact_persons then signals_now.contact_persons = 1
        end as single_contact_person,
        case
            when measurable.contact_persons then signals_now.contact_persons_band
        end as contact_persons_band,
        contact.last_contact_date,
        {{ day_number('as_of.as_of_date') }} - {{ day_number('signals_now.last_contact_on') }}
            as days_since_last_contact,
        case
            when measurable.post_sale_contact then signals_now.post_sale_contact
        end as post_sale_contact,
        coalesce(service.n_tickets, 0) as n_tickets,
        coalesce(service.open_tickets, 0) as open_tickets,
        coalesce(service.complaints, 0) as complaints,
        coalesce(service.open_complaints, 0) as open_complaints,
        case
            when measurable.complaint_handling then signals_now.complaint_handling
        end as complaint_handling,
        ratings.csat_score as last_csat,
        case when measurable.csat then signals_now.csat end as csat_band,
        case when measurable.discount then signals_now.discount end as discount_band,
        case when measurable.payment then signals_now.payment end as payment_band,
        attributes.account_name,
        attributes.segment,
        attributes.industry,
        attributes.region,
        attributes.country,
        attributes.employees,
        attributes.owner_rep_id,
        as_of.as_of_date
    from first_seen
    cross join as_of
    cross join measurable
    left join current_stage on first_seen.account_id = current_stage.account_id
    left join purchases on first_seen.account_id = purchases.account_id
    left join expected on first_seen.account_id = expected.account_id
    left join revenue on first_seen.account_id = revenue.account_id
    left join contact on first_seen.account_id = contact.account_id
    left join signals_now on first_seen.account_id = signals_now.account_id
    left join service on first_seen.account_id = service.account_id
    left join ratings on first_seen.account_id = ratings.account_id and ratings.rating_rank = 1
    left join forecasts on first_seen.account_id = forecasts.account_id
    left join attributes on first_seen.account_id = attributes.account_id
)

select * from final
