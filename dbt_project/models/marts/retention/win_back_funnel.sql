{#- Win-back per quarter of loss: the accounts that became lost, whether anyone contacted them within 90
    days after (on the day of the loss or later, and before they bought again), and whether they were won
    back (bought again) within 12 months. rate_ratio = win-back rate of the contacted / of the others, with
    a 95% interval (macro rate_ratio_bound; none while either group has no win-back). A quarter is
    complete once 12 months have passed since its end; scope 'complete_quarters' (quarter_of_loss null)
    pools every complete quarter. Contact is observed, not assigned: the ratio shows
    an association, which the rest of the account's history may confound. -#}
{%- set contact_days = 90 %}
{%- set win_back_months = 12 %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

transitions as (
    select * from {{ ref('lifecycle_transitions') }}
),

contacts as (
    select
        account_id,
        occurred_on
    from {{ ref('stg_contact__events') }}
    where event_type <> 'lead_created'
),

losses as (
    select
        account_id,
        changed_on as lost_on,
        {{ period_start('quarter', 'changed_on') }} as quarter_of_loss
    from transitions
    where to_stage = 'lost'
),

win_backs as (
    select
        losses.account_id,
        losses.lost_on,
        min(transitions.changed_on) as won_back_on
    from losses
    inner join transitions
        on
            losses.account_id = transitions.account_id
            and transitions.won_back
            and losses.lost_on < transitions.changed_on
            and {{ add_months('losses.lost_on', win_back_months) }} >= transitions.changed_on
    group by losses.account_id, losses.lost_on
),

outcomes as (
    select
        losses.account_id,
        losses.quarter_of_loss,
        case when win_backs.won_back_on is not null then 1 else 0 end as won_back,
        max(case when contacts.account_id is not null then 1 else 0 end) as contacted
    from losses
    left join win_backs on losses.account_id = win_backs.account_id and losses.lost_on = win_backs.lost_on
    left join contacts
        on
            losses.account_id = contacts.account_id
            and losses.lost_on <= contacts.occurred_on
            and {{ add_days('losses.lost_on', contact_days) }} >= contacts.occurred_on
            and (win_backs.won_back_on is null or win_backs.won_back_on > contacts.occurred_on)
    group by losses.account_id, losses.lost_on, losses.quarter_of_loss, win_backs.won_back_on
),

quarters as (
    select
        'quarter' as scope,
        outcomes.quarter_of_loss,
        {{ add_months(dbt.last_day('outcomes.quarter_of_loss', 'quarter'), win_back_months) }}
        <= as_of.as_of_date as is_complete,
        outcomes.contacted,
        outcomes.won_back
    from outcomes
    cross join as_of
),

scoped as (
    select * from quarters
    union all
    select
        'complete_quarters' as scope,
        cast(null as date) as quarter_of_loss,
        true as is_complete,
        contacted,
        won_back
    from quarters
    where is_complete
),

counted as (
    select
        scope,
        quarter_of_loss,
        is_complete,
        count(*) as lost_accounts,
        cast(sum(contacted) as bigint) as contacted_after_loss,
        cast(sum(contacted * won_back) as bigint) as won_back_contacted,
        cast(sum((1 - contacted) * won_back) as bigint) as won_back_not_contacted
    from scoped
    group by scope, quarter_of_loss, is_complete
),

rated as (
    select
        *,
        case
            when contacted_after_loss > 0 then cast(won_back_contacted as double) / contacted_after_loss
        end as win_back_rate_contacted,
        case
            when lost_accounts > contacted_after_loss
                then cast(won_back_not_contacted as double) / (lost_accounts - contacted_after_loss)
        end as win_back_rate_not_contacted
    from counted
),

final as (
    select
        scope,
        quarter_of_loss,
        lost_accounts,
        contacted_after_loss,
        won_back_contacted,
        won_back_not_contacted,
        win_back_rate_contacted,
        win_back_rate_not_contacted,
        case
            when win_back_rate_not_contacted > 0 then win_back_rate_contacted / win_back_rate_not_contacted
        end as rate_ratio,
        {{ rate_ratio_bound(
            'won_back_contacted', 'contacted_after_loss',
            'won_back_not_contacted', 'lost_accounts - contacted_after_loss', -1) }} as rate_ratio_ci_low,
        {{ rate_ratio_bound(
            'won_back_contacted', 'contacted_after_loss',
            'won_back_not_contacted', 'lost_accounts - contacted_after_loss', 1) }} as rate_ratio_ci_high,
        is_complete
    from rated
)

select * from final
