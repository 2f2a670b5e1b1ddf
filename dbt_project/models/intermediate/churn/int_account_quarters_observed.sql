{#- The observations of the churn drivers: every account in a buying stage at the start of a quarter (the
    end of the quarter's previous day), for quarters whose outcome window (churn_outcome_months) has fully
    elapsed by the as-of date, and whether the account became lost within that window. An account is
    observed once per quarter, so the same account appears in several quarters. -#}
{%- set outcome_months = day_count('churn_outcome_months') %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

history as (
    select * from {{ ref('lifecycle_history') }}
),

transitions as (
    select * from {{ ref('lifecycle_transitions') }}
),

months as (
    {{ month_starts('(select min(valid_from) from history)', '(select as_of_date from as_of)') }}
),

quarter_starts as (
    select months.month_start as quarter_start
    from months
    cross join as_of
    where
        {{ period_start('quarter', 'months.month_start') }} = months.month_start
        and {{ add_months('months.month_start', outcome_months) }} <= {{ add_days('as_of.as_of_date', 1) }}
),

buying_at_start as (
    select
        history.account_id,
        quarter_starts.quarter_start,
        history.stage as stage_at_start
    from quarter_starts
    inner join history
        on
            quarter_starts.quarter_start > history.valid_from
            and (history.valid_to is null or quarter_starts.quarter_start <= history.valid_to)
    where {{ is_active('history.stage') }}
),

losses as (
    select
        account_id,
        changed_on
    from transitions
    where to_stage = 'lost'
),

final as (
    select
        buying_at_start.account_id,
        buying_at_start.quarter_start,
        buying_at_start.stage_at_start,
        {{ add_months('buying_at_start.quarter_start', outcome_months) }} as outcome_ends_before,
        max(case
            when
                losses.changed_on >= buying_at_start.quarter_start
                and losses.changed_on < {{ add_months('buying_at_start.quarter_start', outcome_months) }}
                then 1
            else 0
        end) as became_lost
    from buying_at_start
    left join losses on buying_at_start.account_id = losses.account_id
    group by
        buying_at_start.account_id,
        buying_at_start.quarter_start,
        buying_at_start.stage_at_start
)

select * from final
