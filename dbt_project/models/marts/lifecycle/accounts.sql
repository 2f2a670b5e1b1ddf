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

signals_now as (
    select * from {{ ref('int_current_signals_measured') }}
),

forecasts as (
    select * from {{ ref('stg_forecasts__account_forecasts') }}
),

attributes as (
    select * from {{ ref('account_attributes_history') }}
    where valid_to is null
),

-- each account's purchase, revenue, contact and service totals (incremental by account)
summarized as (
    select * from {{ ref('int_accounts_summarized') }}
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

-- first buyers are overdue past the 90th percentile of time to a second purchase day
second_purchase as (
    select {{ percentile_cont('days_to_second_purchase', 0.9) }} as p90_days_to_second_purchase
    from summarized
),

expected as (
    select
        summarized.account_id,
        {{ day_number('as_of.as_of_date') }} - {{ day_number('summarized.last_purchase_date') }}
            as days_since_last_purchase,
        case
            when summarized.n_gaps >= 1 then summarized.median_gap_days
            else second_purchase.p90_days_to_second_purchase
        end as expected_gap_days,
        case
            when summarized.n_gaps >= 1 then {{ factor }} * summarized.median_gap_days
            else second_purchase.p90_days_to_second_purchase
        end as overdue_after_days
    from summarized
    cross join as_of
    cross join second_purchase
    where summarized.n_purchase_days is not null
),

final as (
    select
        first_seen.account_id,
        current_stage.current_stage,
        current_stage.stage_since,
        first_seen.first_seen_on,
        summarized.first_purchase_date,
        summarized.last_purchase_date,
        coalesce(summarized.n_orders, 0) as n_orders,
        coalesce(summarized.n_purchase_days, 0) as n_purchase_days,
        coalesce(summarized.lifetime_revenue, 0) as lifetime_revenue,
        '{{ reporting_currency() }}' as reporting_currency,
        expected.days_since_last_purchase,
        summarized.median_gap_days,
        expected.expected_gap_days,
        expected.overdue_after_days,
        coalesce(
            {{ is_active('current_stage.current_stage') }}
            and expected.days_since_last_purchase > expected.overdue_after_days,
            false
        ) as at_risk,
        forecasts.p_alive,
        coalesce(summarized.n_contact_persons, 0) as n_contact_persons,
        case
            when measurable.contact_persons then signals_now.contact_persons
        end as recent_contact_persons,
        case
            when measurable.contact_persons then signals_now.contact_persons = 1
        end as single_contact_person,
        case
            when measurable.contact_persons then signals_now.contact_persons_band
        end as contact_persons_band,
        summarized.last_contact_date,
        {{ day_number('as_of.as_of_date') }} - {{ day_number('signals_now.last_contact_on') }}
            as days_since_last_contact,
        case
            when measurable.post_sale_contact then signals_now.post_sale_contact
        end as post_sale_contact,
        coalesce(summarized.n_tickets, 0) as n_tickets,
        coalesce(summarized.open_tickets, 0) as open_tickets,
        coalesce(summarized.complaints, 0) as complaints,
        coalesce(summarized.open_complaints, 0) as open_complaints,
        case
            when measurable.complaint_handling then signals_now.complaint_handling
        end as complaint_handling,
        summarized.last_csat,
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
    left join summarized on first_seen.account_id = summarized.account_id
    left join expected on first_seen.account_id = expected.account_id
    left join signals_now on first_seen.account_id = signals_now.account_id
    left join forecasts on first_seen.account_id = forecasts.account_id
    left join attributes on first_seen.account_id = attributes.account_id
)

select * from final
