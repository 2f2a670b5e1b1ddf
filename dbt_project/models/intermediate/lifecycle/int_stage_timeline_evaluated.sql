{#- The stage rules evaluated on every day a stage can change:
    the first event, each purchase day, each day a purchase day leaves the loyal window
    (purchase day + loyal_window_days) and each day inactivity makes an account lost
    (purchase day + lost_after_days + 1). Between those days no input of the rules changes.
    The timeline runs past the as-of date (the days a stage will change if nothing else happens), so an
    account's rows depend on its events alone; lifecycle_transitions stops at the as-of date.
    Incremental by account (macros/incremental/touched_accounts.sql). -#}
{%- set lost_after = day_count('lost_after_days') -%}
{%- set window = day_count('loyal_window_days') -%}
{%- set loyal_min = day_count('loyal_min_purchase_days') %}

{{ incremental_by_account() }}

with

purchase_days as (
    select * from {{ ref('int_purchase_days_aggregated') }}
    where {{ touched_accounts_only('account_id') }}
),

first_seen as (
    select * from {{ ref('int_accounts_first_seen') }}
    where {{ touched_accounts_only('account_id') }}
),

candidate_days as (
    select
        account_id,
        first_seen_on as evaluated_on
    from first_seen
    union
    select
        account_id,
        purchase_date as evaluated_on
    from purchase_days
    union
    select
        account_id,
        {{ add_days('purchase_date', window) }} as evaluated_on
    from purchase_days
    union
    select
        account_id,
        {{ add_days('purchase_date', lost_after + 1) }} as evaluated_on
    from purchase_days
),

timeline as (
    select
        candidate_days.account_id,
        candidate_days.evaluated_on,
        {{ day_number('candidate_days.evaluated_on') }} as day_num,
        purchase_days.purchase_date is not null as is_purchase_day,
        purchase_days.first_purchase_event_id,
        first_seen.first_seen_on,
        first_seen.first_event_id
    from candidate_days
    inner join first_seen on candidate_days.account_id = first_seen.account_id
    left join purchase_days
        on
            candidate_days.account_id = purchase_days.account_id
            and candidate_days.evaluated_on = purchase_days.purchase_date
    where candidate_days.evaluated_on >= first_seen.first_seen_on
),

measured as (
    select
        *,
        count(case when is_purchase_day then 1 end) over (
            partition by account_id order by day_num
            rows between unbounded preceding and current row
        ) as purchase_days_to_date,
        max(case when is_purchase_day then day_num end) over (
            partition by account_id order by day_num
            rows between unbounded preceding and current row
        ) as last_purchase_day_num,
        -- the loyal window (d - loyal_window_days, d]
        count(case when is_purchase_day then 1 end) over (
            partition by account_id order by day_num
            range between {{ window - 1 }} preceding and current row
        ) as purchase_days_in_window
    from timeline
)

select
    account_id,
    evaluated_on,
    day_num,
    is_purchase_day,
    first_purchase_event_id,
    first_seen_on,
    first_event_id,
    purchase_days_to_date,
    purchase_days_in_window,
    day_num - last_purchase_day_num as days_since_last_purchase,
    case
        when purchase_days_to_date = 0 then 'prospect'
        when day_num - last_purchase_day_num > {{ lost_after }} then 'lost'
        when purchase_days_in_window >= {{ loyal_min }} then 'loyal'
        when purchase_days_to_date >= 2 then 'repeat'
        else 'first_buyer'
    end as stage
from measured
