{#- Account x month: the stage at month end (or at the as-of date for the running month).
    Incremental: the touched and restaged accounts' months when the open month moves, else the touched
    accounts' months and every account's changed months (macros/incremental/touched_accounts.sql). -#}
{{ incremental_by_account(
    pre_hook="{{ delete_touched_accounts_and_changed_months() }}", on_schema_change='append_new_columns',
    by_period=true,
) }}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

history as (
    select * from {{ ref('lifecycle_history') }}
),

bounds as (
    select min(valid_from) as first_day from history
),

months as (
    {{ month_starts('(select first_day from bounds)', '(select as_of_date from as_of)') }}
),

snapshot_dates as (
    select
        months.month_start as month,
        case
            when {{ dbt.last_day('months.month_start', 'month') }} < as_of.as_of_date
                then {{ dbt.last_day('months.month_start', 'month') }}
            else as_of.as_of_date
        end as snapshot_date,
        {{ dbt.last_day('months.month_start', 'month') }} <= as_of.as_of_date as is_complete
    from months
    cross join as_of
)

select
    history.account_id,
    snapshot_dates.month,
    snapshot_dates.snapshot_date,
    history.stage,
    {{ is_active('history.stage') }} as is_active,
    snapshot_dates.is_complete
from snapshot_dates
inner join history
    on
        snapshot_dates.snapshot_date >= history.valid_from
        and (history.valid_to is null or snapshot_dates.snapshot_date < history.valid_to)
where {{ touched_accounts_or_changed_months('history.account_id', 'snapshot_dates.month') }}
