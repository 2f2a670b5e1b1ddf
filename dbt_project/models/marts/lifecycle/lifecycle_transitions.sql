{#- One row per stage change: the day the rule says, its cause, and the event behind it (where there is
    one). A loss carries lost_ttm_revenue, what the account brought in its last year as a customer: the
    revenue booked from 12 months before its last purchase day until the loss (the 12 months before the
    loss itself hold no purchase: a loss follows lost_after_days without one).
    Incremental by account (macros/incremental/touched_accounts.sql): an untouched account's rows change
    only when one of its stage changes falls between the as-of dates, which makes it restaged. -#}
{{ incremental_by_account(restaged=true, on_schema_change='append_new_columns') }}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

evaluated as (
    select * from {{ ref('int_stage_timeline_evaluated') }}
    where {{ touched_accounts_only('account_id', restaged=true) }}
),

-- the timeline runs past the as-of date; transitions stop there
timeline as (
    select
        evaluated.*,
        lag(evaluated.stage) over (
            partition by evaluated.account_id order by evaluated.day_num
        ) as previous_stage
    from evaluated
    inner join as_of on evaluated.evaluated_on <= as_of.as_of_date
),

changes as (
    select * from timeline
    where previous_stage is null or previous_stage <> stage
),

purchase_days as (
    select * from {{ ref('int_purchase_days_aggregated') }}
    where {{ touched_accounts_only('account_id', restaged=true) }}
),

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
    where {{ touched_accounts_only('account_id', restaged=true) }}
),

losses as (
    select
        changes.account_id,
        changes.evaluated_on,
        max(purchase_days.purchase_date) as last_purchase_date
    from changes
    inner join purchase_days
        on
            changes.account_id = purchase_days.account_id
            and changes.evaluated_on > purchase_days.purchase_date
    where changes.stage = 'lost'
    group by changes.account_id, changes.evaluated_on
),

lost_revenue as (
    select
        losses.account_id,
        losses.evaluated_on,
        {{ sum_money('revenue_lines.amount_reporting') }} as lost_ttm_revenue
    from losses
    inner join revenue_lines
        on
            losses.account_id = revenue_lines.account_id
            and {{ add_months('losses.last_purchase_date', -12) }} < revenue_lines.booked_on
            and losses.evaluated_on > revenue_lines.booked_on
    group by losses.account_id, losses.evaluated_on
),

final as (
    select
        changes.account_id,
        changes.previous_stage as from_stage,
        changes.stage as to_stage,
        changes.evaluated_on as changed_on,
        case
            when changes.is_purchase_day then 'purchase'
            when changes.previous_stage is null then 'first_contact'
            when changes.stage = 'lost' then 'inactivity'
            else 'window_lapse'
        end as cause,
        case
            when changes.is_purchase_day then changes.first_purchase_event_id
            when changes.previous_stage is null then changes.first_event_id
        end as cause_event_id,
        coalesce(changes.previous_stage = 'lost' and {{ is_active('changes.stage') }}, false) as won_back,
        case
            when changes.stage = 'lost'
                then coalesce(lost_revenue.lost_ttm_revenue, cast(0 as decimal(38, 4)))
        end as lost_ttm_revenue
    from changes
    left join lost_revenue
        on changes.account_id = lost_revenue.account_id and changes.evaluated_on = lost_revenue.evaluated_on
)

select * from final
