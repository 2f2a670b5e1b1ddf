{#- Revenue per month and currency split by the account's lifecycle position:
      new                    the account's first purchase day is in the month;
      retained               in a buying stage at the start of the month;
      won_back               lost at the start of the month and a purchase day in it;
      lapsed                 lost at the start of the month and no purchase day in it (a late invoice or
                             credit note of a lost account);
      before_first_purchase  not buying yet at the start of the month and no first purchase day in it (an
                             invoice ahead of the first order, or an account whose only order was cancelled).
    The start of the month is the end of the month's previous day. Every line has exactly one class, so
    the classes sum to revenue_ledger per month and currency, and in the reporting currency (test
    assert_revenue_by_lifecycle_reconciles_to_ledger). -#}
with

revenue_lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
),

history as (
    select * from {{ ref('lifecycle_history') }}
),

account_months as (
    select * from {{ ref('account_months') }}
),

line_months as (
    select
        *,
        {{ period_start('month', 'booked_on') }} as month
    from revenue_lines
),

month_starts as (
    select distinct
        account_id,
        month,
        {{ add_days('month', -1) }} as eve
    from line_months
),

stage_at_start as (
    select
        month_starts.account_id,
        month_starts.month,
        history.stage
    from month_starts
    inner join history
        on
            month_starts.account_id = history.account_id
            and month_starts.eve >= history.valid_from
            and (history.valid_to is null or month_starts.eve < history.valid_to)
),

classified as (
    select
        line_months.*,
        case
            when {{ is_active('stage_at_start.stage') }} then 'retained'
            when stage_at_start.stage = 'lost' and account_months.n_purchase_days > 0 then 'won_back'
            when stage_at_start.stage = 'lost' then 'lapsed'
            when {{ period_start('month', 'account_months.first_purchase_date') }} = line_months.month
                then 'new'
            else 'before_first_purchase'
        end as revenue_class
    from line_months
    left join stage_at_start
        on line_months.account_id = stage_at_start.account_id and line_months.month = stage_at_start.month
    left join account_months
        on line_months.account_id = account_months.account_id and line_months.month = account_months.month
),

final as (
    select
        month,
        currency,
        revenue_class,
        count(distinct account_id) as accounts,
        count(*) as revenue_lines,
        {{ sum_money('amount') }} as revenue,
        '{{ reporting_currency() }}' as reporting_currency,
        {{ sum_money('amount_reporting') }} as revenue_reporting
    from classified
    group by month, currency, revenue_class
)

select * from final
