{#- account_months with, per breakdown attribute (macro breakdown_attributes), the value at the month end
    (snapshot_date), at the month before's end, twelve months before and at the account's first purchase
    day ('unknown' when the CRM had not set it then), and beside them what the by-attribute marts read
    across months: active at the month before's end, trailing-twelve-month revenue now and twelve months
    before. One row per account and month, so the marts' per-account windows run once here, not once per
    attribute there.
    Incremental as account_months is (macros/incremental/touched_accounts.sql): the touched and restaged
    accounts' months when the open month moves, else the touched accounts' months and every account's
    changed months. The windows of an untouched account's changed months read its twelve months before
    them as this table holds them (unchanged, as the account is). -#}
{{ incremental_by_account(pre_hook="{{ delete_touched_accounts_and_changed_months() }}", by_period=true) }}
{%- set attributes = breakdown_attributes() %}
{%- set month_columns = [
    'account_id', 'month', 'snapshot_date', 'first_purchase_date', 'n_purchase_days', 'revenue',
    'is_active_at_month_end',
] %}
{%- set reads_stored = false %}
{#- read once: each call queries the table -#}
{%- set open_month = open_month_move() %}
{%- set changed_start = changed_months_start() if is_incremental() and not open_month %}
{%- if is_incremental() and execute and not open_month %}
    {#- a table of an earlier version lacks the columns: its build rebuilds every account, reading none -#}
    {%- set columns = column_names(this) %}
    {%- set reads_stored = 'ttm_revenue' in columns %}
{%- endif %}

with

account_months as (
    select * from {{ ref('account_months') }}
    where {{ touched_accounts_or_changed_periods('account_id', 'month >= ' ~ changed_start, open_month) }}
),

history as (
    select * from {{ ref('account_attributes_history') }}
),

first_purchases as (
    select distinct
        account_id,
        first_purchase_date
    from account_months
    where first_purchase_date is not null
),

at_first_purchase as (
    select
        {%- for attribute in attributes %}
            history.{{ attribute }},
        {%- endfor %}
        first_purchases.account_id
    from first_purchases
    inner join history
        on {{ attributes_in_effect(
            'history', 'first_purchases.account_id', 'first_purchases.first_purchase_date') }}
),

at_month_end as (
    select
        {%- for column in month_columns %}
            account_months.{{ column }},
        {%- endfor %}
        {%- for attribute in attributes %}
            coalesce(history.{{ attribute }}, 'unknown') as {{ attribute }}_at_month_end,
            coalesce(at_first_purchase.{{ attribute }}, 'unknown') as {{ attribute }}_at_first_purchase,
        {%- endfor %}
        cast(null as decimal(38, 4)) as stored_ttm_revenue,
        true as is_written
    from account_months
    left join history
        on {{ attributes_in_effect('history', 'account_months.account_id', 'account_months.snapshot_date') }}
    left join at_first_purchase on account_months.account_id = at_first_purchase.account_id
),

-- what the windows of an untouched account's changed months look back on (twelve months at most)
stored as (
    {%- if reads_stored %}
        select
            {%- for column in month_columns %}
                {{ column }},
            {%- endfor %}
            {%- for attribute in attributes %}
                {{ attribute }}_at_month_end,
                {{ attribute }}_at_first_purchase,
            {%- endfor %}
            ttm_revenue as stored_ttm_revenue,
            false as is_written
        from {{ this }}
        where
            not ({{ touched_accounts_only('account_id') }})
            and month >= {{ add_months(changed_start, -12) }}
            and month < {{ changed_start }}
    {%- else %}
        select * from at_month_end
        where false
    {%- endif %}
),

months as (
    select * from at_month_end
    union all
    select * from stored
),

-- every month from the account's first event (or twelve before the first written): n rows back is n months
windowed as (
    select
        *,
        coalesce(
            lag(is_active_at_month_end) over (partition by account_id order by month), false
        ) as was_active_month_before,
        {%- for attribute in attributes %}
            lag({{ attribute }}_at_month_end) over (
                partition by account_id order by month
            ) as {{ attribute }}_month_before,
            lag({{ attribute }}_at_month_end, 12) over (
                partition by account_id order by month
            ) as {{ attribute }}_year_before,
        {%- endfor %}
        sum(revenue) over (
            partition by account_id order by month rows between 11 preceding and current row
        ) as ttm_revenue,
        -- the TTM twelve months back: as stored, or summed over months 23 to 12 back, which the rows hold
        -- where the month 12 back is written too (one window pass, not a second one over the first)
        coalesce(
            lag(stored_ttm_revenue, 12) over (partition by account_id order by month),
            sum(revenue) over (
                partition by account_id order by month rows between 23 preceding and 12 preceding
            ),
            0
        ) as ttm_revenue_year_before
    from months
),

final as (
    select
        {%- for column in month_columns %}
            {{ column }},
        {%- endfor %}
        {%- for attribute in attributes %}
            {{ attribute }}_at_month_end,
            {{ attribute }}_at_first_purchase,
            {{ attribute }}_month_before,
            {{ attribute }}_year_before,
        {%- endfor %}
        was_active_month_before,
        ttm_revenue,
        ttm_revenue_year_before
    from windowed
    where is_written
)

select * from final
