{#- The churn-driver signals of an account, measured at a point in time over the driver_lookback_months
    before it, [measured_on - lookback, measured_on): the CTEs from `windows` to `final`, over a CTE
    `points` (account_id, measured_on) and the relations given as service, contact, invoices and purchases
    (the service and contact events, int_invoices_settled and int_purchases_identified). Used at
    every quarter start an account is observed (int_driver_signals_measured) and on the day after the
    as-of date for every account (int_current_signals_measured, what the accounts mart shows as "now").
    with_last_contact adds last_contact_on, the latest contact before measured_on at any age.
    One definition of every signal, wherever it is used:
      complaints   tickets of category complaint opened in the window; a complaint is late when its first
                   resolution took more than complaint_sla_days, or it is still open at measured_on and
                   older than that (open = its latest status event before measured_on is opened/reopened);
      ratings      satisfaction ratings given in the window (mean score);
      contacts     distinct contact persons in the window, and the latest contact before measured_on;
      post-sale    a contact on one of the post_sale_contact_days after a purchase day in the window;
      discount     discount / (amount + discount) over the purchases in the window;
      payment      invoices falling due in the window, late when paid (or still unpaid at measured_on) more
                   than payment_late_days after the due date (invoice date + payment_terms_days).
    Bands (labels are the contract of churn_drivers):
      complaint_handling  none (no complaint), unresolved (one still open and older than the SLA), slow (one
                          resolved after more than the SLA), else within_sla (an open one not yet past the
                          SLA included);
      csat                unrated, else the mean score rounded to the nearest whole score (x.5 up): low 1-2,
                          mid 3, high 4-5;
      contact_persons     1, 2-3, 4+, and none when no one was in contact in the window;
      post_sale_contact   yes, no (no purchase day in the window is no);
      discount            none (rate 0 or no purchase), low (up to discount_high_rate), high (above);
      payment             late (any invoice late), else on_time. -#}
{% macro driver_signal_ctes(points, service, contact, invoices, purchases, with_last_contact=false) -%}
{%- set lookback = day_count('driver_lookback_months') -%}
{%- set sla = day_count('complaint_sla_days') -%}
{%- set post_sale = day_count('post_sale_contact_days') -%}
{%- set late_days = validated_setting('payment_late_days', '^[0-9]+$', 'a whole number >= 0') | int -%}
{%- set high_rate = validated_setting('discount_high_rate', '^0?[.][0-9]+$', 'a number between 0 and 1') -%}
windows as (
    select
        account_id,
        measured_on,
        {{ add_months('measured_on', -lookback) }} as window_start
    from {{ points }}
),

complaint_openings as (
    select
        account_id,
        ticket_id,
        min(occurred_on) as opened_on
    from {{ service }} as service
    where event_type = 'ticket_opened' and category = 'complaint'
    group by account_id, ticket_id
),

complaint_status_events as (
    select
        service.account_id,
        service.ticket_id,
        service.event_type,
        service.occurred_on,
        service.occurred_at_utc,
        service.event_id
    from {{ service }} as service
    inner join complaint_openings
        on
            service.account_id = complaint_openings.account_id
            and service.ticket_id = complaint_openings.ticket_id
    where service.event_type in {{ ticket_status_events() }}
),

complaint_events_at_point as (
    select
        windows.account_id,
        windows.measured_on,
        complaint_openings.ticket_id,
        complaint_openings.opened_on,
        complaint_status_events.event_type,
        complaint_status_events.occurred_on,
        -- 1 for the latest status event before the point
        row_number() over (
            partition by windows.account_id, windows.measured_on, complaint_openings.ticket_id
            order by complaint_status_events.occurred_at_utc desc, complaint_status_events.event_id desc
        ) as recency
    from windows
    inner join complaint_openings
        on
            windows.account_id = complaint_openings.account_id
            and windows.window_start <= complaint_openings.opened_on
            and windows.measured_on > complaint_openings.opened_on
    inner join complaint_status_events
        on
            complaint_openings.account_id = complaint_status_events.account_id
            and complaint_openings.ticket_id = complaint_status_events.ticket_id
            and windows.measured_on > complaint_status_events.occurred_on
),

complaint_states as (
    select
        account_id,
        measured_on,
        ticket_id,
        opened_on,
        min(case when event_type = 'ticket_resolved' then occurred_on end) as first_resolved_on,
        -- the ticket's state at the point: that of its latest status event before it
        max(case when recency = 1 and {{ ticket_is_open('event_type') }} then 1 else 0 end) as is_open_marker
    from complaint_events_at_point
    group by account_id, measured_on, ticket_id, opened_on
),

complaints as (
    select
        account_id,
        measured_on,
        count(*) as complaints,
        sum(case
            when
                is_open_marker = 1
                and {{ day_number('measured_on') }} - {{ day_number('opened_on') }} > {{ sla }}
                then 1
            else 0
        end) as complaints_open_late,
        count(case when is_open_marker = 1 then 1 end) as complaints_open,
        sum(case
            when
                first_resolved_on is not null
                and {{ day_number('first_resolved_on') }} - {{ day_number('opened_on') }} > {{ sla }}
                then 1
            else 0
        end) as complaints_resolved_late
    from complaint_states
    group by account_id, measured_on
),

ratings as (
    select
        windows.account_id,
        windows.measured_on,
        count(*) as ratings,
        avg(cast(service.csat_score as double)) as mean_csat
    from windows
    inner join {{ service }} as service
        on
            windows.account_id = service.account_id
            and service.event_type = 'satisfaction_rated'
            and windows.window_start <= service.occurred_on
            and windows.measured_on > service.occurred_on
    group by windows.account_id, windows.measured_on
),

contacts as (
    select
        windows.account_id,
        windows.measured_on,
        count(distinct case
            when contact.occurred_on >= windows.window_start then contact.contact_person_key
        end) as contact_persons
        {%- if with_last_contact %},
        max(contact.occurred_on) as last_contact_on
        {%- endif %}
    from windows
    inner join {{ contact }} as contact
        on
            windows.account_id = contact.account_id
            and windows.measured_on > contact.occurred_on
            and contact.event_type <> 'lead_created'
            {%- if not with_last_contact %}
            and contact.occurred_on >= windows.window_start
            {%- endif %}
    group by windows.account_id, windows.measured_on
),

window_purchases as (
    select
        windows.account_id,
        windows.measured_on,
        purchases.purchase_date,
        purchases.amount,
        purchases.discount_amount
    from windows
    inner join {{ purchases }} as purchases
        on
            windows.account_id = purchases.account_id
            and windows.window_start <= purchases.purchase_date
            and windows.measured_on > purchases.purchase_date
),

discounts as (
    select
        account_id,
        measured_on,
        count(*) as purchases,
        sum(coalesce(discount_amount, 0)) as discount_total,
        sum(amount + coalesce(discount_amount, 0)) as gross_total
    from window_purchases
    group by account_id, measured_on
),

-- only a contact after the earliest window start can follow a purchase in a window: the join's build side
-- is then the recent contacts, not every account's whole history
recent_contacts as (
    select
        contact.account_id,
        contact.event_id,
        contact.occurred_on
    from {{ contact }} as contact
    where
        contact.event_type <> 'lead_created'
        and contact.occurred_on > (select min(windows.window_start) from windows)
),

post_sale_contacts as (
    select
        window_purchases.account_id,
        window_purchases.measured_on,
        max(case when contact.event_id is not null then 1 else 0 end) as had_post_sale_contact
    from window_purchases
    left join recent_contacts as contact
        on
            window_purchases.account_id = contact.account_id
            and window_purchases.purchase_date < contact.occurred_on
            and contact.occurred_on <= {{ add_days('window_purchases.purchase_date', post_sale) }}
            and window_purchases.measured_on > contact.occurred_on
    group by window_purchases.account_id, window_purchases.measured_on
),

payment_lateness as (
    select
        windows.account_id,
        windows.measured_on,
        count(*) as invoices_due,
        sum(case
            when
                invoices.paid_on < windows.measured_on
                and {{ day_number('invoices.paid_on') }} - {{ day_number('invoices.due_on') }}
                > {{ late_days }}
                then 1
            when
                (invoices.paid_on is null or invoices.paid_on >= windows.measured_on)
                and {{ day_number('windows.measured_on') }} - {{ day_number('invoices.due_on') }}
                > {{ late_days }}
                then 1
            else 0
        end) as invoices_paid_late
    from windows
    inner join {{ invoices }} as invoices
        on
            windows.account_id = invoices.account_id
            and windows.window_start <= invoices.due_on
            and windows.measured_on > invoices.due_on
    group by windows.account_id, windows.measured_on
),

signals as (
    select
        windows.account_id,
        windows.measured_on,
        windows.window_start,
        coalesce(complaints.complaints, 0) as complaints,
        coalesce(complaints.complaints_open, 0) as complaints_open,
        coalesce(complaints.complaints_open_late, 0) as complaints_open_late,
        coalesce(complaints.complaints_resolved_late, 0) as complaints_resolved_late,
        coalesce(ratings.ratings, 0) as ratings,
        ratings.mean_csat,
        coalesce(contacts.contact_persons, 0) as contact_persons,
        {%- if with_last_contact %}
        contacts.last_contact_on,
        {%- endif %}
        coalesce(post_sale_contacts.had_post_sale_contact, 0) as had_post_sale_contact,
        coalesce(discounts.purchases, 0) as purchases,
        case
            when discounts.gross_total > 0
                then cast(discounts.discount_total as double) / cast(discounts.gross_total as double)
            else 0
        end as discount_rate,
        coalesce(payment_lateness.invoices_due, 0) as invoices_due,
        coalesce(payment_lateness.invoices_paid_late, 0) as invoices_paid_late
    from windows
    left join complaints
        on windows.account_id = complaints.account_id and windows.measured_on = complaints.measured_on
    left join ratings
        on windows.account_id = ratings.account_id and windows.measured_on = ratings.measured_on
    left join contacts
        on windows.account_id = contacts.account_id and windows.measured_on = contacts.measured_on
    left join post_sale_contacts
        on
            windows.account_id = post_sale_contacts.account_id
            and windows.measured_on = post_sale_contacts.measured_on
    left join discounts
        on windows.account_id = discounts.account_id and windows.measured_on = discounts.measured_on
    left join payment_lateness
        on
            windows.account_id = payment_lateness.account_id
            and windows.measured_on = payment_lateness.measured_on
),

final as (
    select
        *,
        case
            when complaints = 0 then 'none'
            when complaints_open_late > 0 then 'unresolved'
            when complaints_resolved_late > 0 then 'slow'
            else 'within_sla'
        end as complaint_handling,
        case
            when ratings = 0 then 'unrated'
            when mean_csat < 2.5 then 'low'
            when mean_csat < 3.5 then 'mid'
            else 'high'
        end as csat,
        case
            when contact_persons = 0 then 'none'
            when contact_persons = 1 then '1'
            when contact_persons <= 3 then '2-3'
            else '4+'
        end as contact_persons_band,
        case when had_post_sale_contact = 1 then 'yes' else 'no' end as post_sale_contact,
        case
            when discount_rate <= 0 then 'none'
            when discount_rate > {{ high_rate }} then 'high'
            else 'low'
        end as discount,
        case when invoices_paid_late > 0 then 'late' else 'on_time' end as payment
    from signals
)
{%- endmacro %}
