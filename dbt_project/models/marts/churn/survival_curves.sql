{#- Time to loss: Kaplan-Meier survival of accounts from their first purchase day to their first loss (the
    day the lost stage begins), censored at the as-of date for accounts never lost. One curve per group:
    every account (grouping `all`), each acquisition year (the year of the first purchase day), and each
    band of every measured churn driver, measured at the first quarter start after acquisition
    (churn_observations: accounts whose first quarter has no full outcome window yet have no band).
    One row per group and day on which an account was lost or censored: at_risk (accounts whose time
    reaches the day), lost, censored, survival = the product of (1 - lost / at_risk) up to the day, and its
    95% interval by the exponential Greenwood formula (log(-log) scale), as lifelines computes it. The
    curve is 1 before its first row. -#}
{%- set drivers = [
    'complaint_handling', 'csat', 'contact_persons', 'post_sale_contact', 'discount', 'payment'
] %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

accounts as (
    select * from {{ ref('accounts') }}
),

transitions as (
    select * from {{ ref('lifecycle_transitions') }}
),

observations as (
    select * from {{ ref('churn_observations') }}
),

first_losses as (
    select
        account_id,
        min(changed_on) as lost_on
    from transitions
    where to_stage = 'lost'
    group by account_id
),

lifetimes as (
    select
        accounts.account_id,
        accounts.first_purchase_date,
        case when first_losses.lost_on is not null then 1 else 0 end as is_lost,
        {{ day_number('coalesce(first_losses.lost_on, as_of.as_of_date)') }}
        - {{ day_number('accounts.first_purchase_date') }} as days
    from accounts
    cross join as_of
    left join first_losses on accounts.account_id = first_losses.account_id
    where accounts.first_purchase_date is not null
),

first_quarters as (
    select
        lifetimes.account_id,
        {%- for driver in drivers %}
            observations.{{ driver }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from lifetimes
    inner join observations
        on
            lifetimes.account_id = observations.account_id
            and observations.quarter_start
            = {{ add_months(period_start('quarter', 'lifetimes.first_purchase_date'), 3) }}
),

grouped as (
    select
        'all' as grouping,
        'all' as group_value,
        days,
        is_lost
    from lifetimes
    union all
    select
        'acquisition_year' as grouping,
        cast(extract(year from first_purchase_date) as {{ dbt.type_string() }}) as group_value,
        days,
        is_lost
    from lifetimes
    {%- for driver in drivers %}
        union all
        select
            '{{ driver }}' as grouping,
            first_quarters.{{ driver }} as group_value,
            lifetimes.days,
            lifetimes.is_lost
        from lifetimes
        inner join first_quarters on lifetimes.account_id = first_quarters.account_id
        where first_quarters.{{ driver }} is not null
    {%- endfor %}
),

per_day as (
    select
        grouping,
        group_value,
        days,
        sum(is_lost) as lost,
        sum(1 - is_lost) as censored
    from grouped
    group by grouping, group_value, days
),

with_at_risk as (
    select
        grouping,
        group_value,
        days,
        lost,
        censored,
        sum(lost + censored) over (partition by grouping, group_value)
        - coalesce(sum(lost + censored) over (
            partition by grouping, group_value order by days
            rows between unbounded preceding and 1 preceding
        ), 0) as at_risk
    from per_day
),

steps as (
    select
        grouping,
        group_value,
        days,
        at_risk,
        lost,
        censored,
        -- a day on which every account at risk was lost takes the curve to 0 for good
        max(case when lost = at_risk then 1 else 0 end) over (
            partition by grouping, group_value order by days rows between unbounded preceding and current row
        ) as reached_zero,
        sum(case when lost < at_risk then ln(at_risk - lost) - ln(at_risk) else 0 end) over (
            partition by grouping, group_value order by days rows between unbounded preceding and current row
        ) as log_survival,
        sum(case
            when lost < at_risk then cast(lost as double) / (cast(at_risk as double) * (at_risk - lost))
            else 0
        end) over (
            partition by grouping, group_value order by days rows between unbounded preceding and current row
        ) as greenwood
    from with_at_risk
),

curves as (
    select
        grouping,
        group_value,
        days,
        at_risk,
        lost,
        censored,
        case when reached_zero = 1 then 0 else exp(log_survival) end as survival,
        case
            when reached_zero = 1 then 0
            when log_survival = 0 then 1
            else exp(-exp(ln(-log_survival) - 1.959963984540054 * sqrt(greenwood) / log_survival))
        end as ci_low,
        case
            when reached_zero = 1 then 0
            when log_survival = 0 then 1
            else exp(-exp(ln(-log_survival) + 1.959963984540054 * sqrt(greenwood) / log_survival))
        end as ci_high
    from steps
),

medians as (
    select
        grouping,
        group_value,
        -- to 1e-9: a product that is exactly 0.5 lands a hair above it on one engine, below on another
        min(case when survival <= 0.5 + 1e-9 then days end) as median_days_to_loss
    from curves
    group by grouping, group_value
),

final as (
    select
        curves.grouping,
        curves.group_value,
        curves.days,
        cast(curves.at_risk as bigint) as at_risk,
        cast(curves.lost as bigint) as lost,
        cast(curves.censored as bigint) as censored,
        curves.survival,
        curves.ci_low,
        curves.ci_high,
        medians.median_days_to_loss
    from curves
    inner join medians
        on curves.grouping = medians.grouping and curves.group_value = medians.group_value
)

select * from final
