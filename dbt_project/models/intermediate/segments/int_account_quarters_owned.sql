{#- Account x quarter (from the account's first event to the as-of quarter) with its owner at the quarter
    start: the CRM's owner_rep_id in effect that day, else the rep on most of the account's purchases in
    the driver_lookback_months before it (ties: the lowest rep_id), else none. Beside it what the rep
    scorecard counts: active at the start (the previous month end) and at the end (the quarter's last month
    end, or the as-of date), purchases in the quarter and whether one was followed by a contact within
    post_sale_contact_days, revenue, and for an account whose first purchase day falls in the quarter the
    rep on that purchase (the order placed first that day). -#}
{%- set lookback = day_count('driver_lookback_months') %}
{%- set post_sale = day_count('post_sale_contact_days') %}

with

account_months as (
    select * from {{ ref('account_months') }}
),

history as (
    select * from {{ ref('account_attributes_history') }}
),

purchases as (
    select
        purchases.account_id,
        purchases.purchase_date,
        purchases.occurred_at_utc,
        purchases.event_id,
        sales.rep_id
    from {{ ref('int_purchases_identified') }} as purchases
    inner join {{ ref('stg_sales__events') }} as sales on purchases.event_id = sales.event_id
),

contacts as (
    select
        account_id,
        occurred_on
    from {{ ref('stg_contact__events') }}
    where event_type <> 'lead_created'
),

quarters as (
    select
        account_id,
        {{ period_start('quarter', 'month') }} as quarter_start,
        max_by(case when is_active_at_month_end then 1 else 0 end, month) as is_active_at_end,
        sum(revenue) as revenue
    from account_months
    group by account_id, {{ period_start('quarter', 'month') }}
),

starts as (
    select
        quarters.*,
        coalesce(previous_month.is_active_at_month_end, false) as is_active_at_start
    from quarters
    left join account_months as previous_month
        on
            quarters.account_id = previous_month.account_id
            and previous_month.month = {{ add_months('quarters.quarter_start', -1) }}
),

order_reps as (
    select
        starts.account_id,
        starts.quarter_start,
        purchases.rep_id,
        count(*) as purchases
    from starts
    inner join purchases
        on
            starts.account_id = purchases.account_id
            and {{ add_months('starts.quarter_start', -lookback) }} <= purchases.purchase_date
            and starts.quarter_start > purchases.purchase_date
    where purchases.rep_id is not null
    group by starts.account_id, starts.quarter_start, purchases.rep_id
),

order_owners as (
    select
        account_id,
        quarter_start,
        rep_id,
        row_number() over (
            partition by account_id, quarter_start order by purchases desc, rep_id asc
        ) as rep_rank
    from order_reps
),

quarter_purchases as (
    select
        starts.account_id,
        starts.quarter_start,
        max(case when contacts.account_id is not null then 1 else 0 end) as had_post_sale_contact
    from starts
    inner join purchases
        on
            starts.account_id = purchases.account_id
            and starts.quarter_start <= purchases.purchase_date
            and {{ add_months('starts.quarter_start', 3) }} > purchases.purchase_date
    left join contacts
        on
            purchases.account_id = contacts.account_id
            and purchases.purchase_date < contacts.occurred_on
            and contacts.occurred_on <= {{ add_days('purchases.purchase_date', post_sale) }}
    group by starts.account_id, starts.quarter_start
),

first_purchases as (
    select
        account_id,
        purchase_date,
        rep_id,
        row_number() over (partition by account_id order by occurred_at_utc, event_id) as purchase_rank
    from purchases
),

final as (
    select
        starts.account_id,
        starts.quarter_start,
        coalesce(history.owner_rep_id, order_owners.rep_id) as owner_rep_id,
        case
            when history.owner_rep_id is not null then 'crm'
            when order_owners.rep_id is not null then 'orders'
        end as owner_source,
        starts.is_active_at_start,
        starts.is_active_at_end = 1 as is_active_at_end,
        quarter_purchases.account_id is not null as has_purchase,
        coalesce(quarter_purchases.had_post_sale_contact, 0) = 1 as had_post_sale_contact,
        starts.revenue,
        first_purchases.account_id is not null as is_new,
        first_purchases.rep_id as won_by_rep_id
    from starts
    left join history on {{ attributes_in_effect('history', 'starts.account_id', 'starts.quarter_start') }}
    left join order_owners
        on
            starts.account_id = order_owners.account_id
            and starts.quarter_start = order_owners.quarter_start
            and order_owners.rep_rank = 1
    left join quarter_purchases
        on
            starts.account_id = quarter_purchases.account_id
            and starts.quarter_start = quarter_purchases.quarter_start
    left join first_purchases
        on
            starts.account_id = first_purchases.account_id
            and first_purchases.purchase_rank = 1
            and starts.quarter_start <= first_purchases.purchase_date
            and {{ add_months('starts.quarter_start', 3) }} > first_purchases.purchase_date
)

select * from final
