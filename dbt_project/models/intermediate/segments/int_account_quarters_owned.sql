{#- Account x quarter (from the account's first event to the as-of quarter) with its owner at the quarter
    start: the CRM's owner_rep_id in effect that day, else the rep on most of the account's purchases in
    the driver_lookback_months before it (ties: the lowest rep_id), else none. Beside it what the rep
    scorecard counts: active at the start (the previous month end) and at the end (snapshot_date: the
    quarter's last month end, or the as-of date), purchases in the quarter and whether one was followed by
    a contact within post_sale_contact_days, revenue, and for an account whose first purchase day falls in
    the quarter the rep on that purchase (the order placed first that day).
    Incremental as account_months is (macros/incremental/touched_accounts.sql), by quarter: the touched
    and restaged accounts' quarters when the open month moves, else the touched accounts' quarters and
    every account's quarters from the quarter of the first changed month, whose owner reads purchases up
    to driver_lookback_months back. -#}
{{ incremental_by_account(pre_hook="{{ delete_touched_accounts_and_changed_quarters() }}", by_period=true) }}
{%- set lookback = day_count('driver_lookback_months') %}
{%- set post_sale = day_count('post_sale_contact_days') %}
{%- set open_month = open_month_move() %}
{%- set changed_quarters_start = period_start('quarter', changed_months_start())
    if is_incremental() and not open_month %}

with

account_months as (
    select * from {{ ref('account_months') }}
    where {{ touched_accounts_or_changed_periods(
        'account_id', 'month >= ' ~ add_months(changed_quarters_start, -1), open_month
    ) }}
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
    where {{ touched_accounts_or_changed_periods(
        'purchases.account_id',
        'purchases.purchase_date >= ' ~ add_months(changed_quarters_start, -lookback),
        open_month,
    ) }}
),

contacts as (
    select
        account_id,
        occurred_on
    from {{ ref('stg_contact__events') }}
    where
        event_type <> 'lead_created'
        and {{ touched_accounts_or_changed_periods(
            'account_id', 'occurred_on >= ' ~ changed_quarters_start, open_month
        ) }}
),

quarters as (
    select
        account_id,
        {{ period_start('quarter', 'month') }} as quarter_start,
        max(snapshot_date) as snapshot_date,
        max(first_purchase_date) as first_purchase_date,
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
    where {{ touched_accounts_or_changed_periods(
        'quarters.account_id', 'quarters.quarter_start >= ' ~ changed_quarters_start, open_month
    ) }}
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

-- the account's first purchase day is account_months' (the earliest purchase); its first order that day
first_orders as (
    select
        starts.account_id,
        starts.quarter_start,
        purchases.rep_id,
        row_number() over (
            partition by starts.account_id order by purchases.occurred_at_utc, purchases.event_id
        ) as order_rank
    from starts
    inner join purchases
        on
            starts.account_id = purchases.account_id
            and starts.first_purchase_date = purchases.purchase_date
    where
        starts.quarter_start <= starts.first_purchase_date
        and {{ add_months('starts.quarter_start', 3) }} > starts.first_purchase_date
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
        first_orders.account_id is not null as is_new,
        first_orders.rep_id as won_by_rep_id,
        starts.snapshot_date
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
    left join first_orders
        on
            starts.account_id = first_orders.account_id
            and starts.quarter_start = first_orders.quarter_start
            and first_orders.order_rank = 1
)

select * from final
