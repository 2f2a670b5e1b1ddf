{#- Account x period (month and quarter grains) from the account's cohort period (its first purchase day's)
    to the as-of period: purchasing in the period, active at its last month end that has happened,
    revenue, and the value of each breakdown attribute on the first purchase day. What cohort_retention and
    cohort_retention_by_attribute count (macros/retention/cohort_retention.sql).
    Incremental as account_months is (macros/incremental/touched_accounts.sql), by period: the touched
    and restaged accounts' periods when the open month moves, else the touched accounts' periods and
    every account's periods from the quarter of the first changed month. -#}
{{ incremental_by_account(
    pre_hook="{{ delete_touched_accounts_and_changed_quarters('period_start') }}", by_period=true
) }}
{%- set cohort_values = [] %}
{%- for attribute in breakdown_attributes() %}
    {%- do cohort_values.append(attribute ~ '_at_first_purchase') %}
{%- endfor %}
{%- set open_month = open_month_move() %}
{%- set changed_quarters_start = period_start('quarter', changed_months_start())
    if is_incremental() and not open_month %}

with

account_months as (
    select * from {{ ref('int_account_months_attributed') }}
    where {{ touched_accounts_or_changed_periods(
        'account_id', 'month >= ' ~ changed_quarters_start, open_month
    ) }}
),

{{ cohort_account_periods_ctes('account_months', carry=cohort_values) }},

-- on an incremental build every period read starts in or after the first changed quarter: all are written
final as (
    select * from account_periods
)

select * from final
