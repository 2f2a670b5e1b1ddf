{#- The account master as a slowly changing dimension (type 2): one row per account and day on which the
    CRM changed it, [valid_from, valid_to) with valid_to the next row's valid_from and null for the current
    row. An account_updated event sets the attributes it carries from its day on and leaves the others as
    they were; several on one day apply in time order. Point in time: macro attributes_in_effect;
    accounts before their first update have no row.
    Incremental by account (macros/incremental/touched_accounts.sql): an account's rows change only
    with its own events, or with the as-of date when it is set (a changed setting rebuilds every account). -#}
{{ incremental_by_account(on_schema_change='append_new_columns') }}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

updates as (
    select updates.*
    from {{ ref('stg_contact__account_updates') }} as updates
    inner join as_of on updates.occurred_on <= as_of.as_of_date
    where {{ touched_accounts_only('updates.account_id') }}
),

-- a running count of the updates that set an attribute numbers the spans over which its value holds
spans as (
    select
        *,
        count(account_name) over (
            partition by account_id order by occurred_at_utc, event_id
            rows between unbounded preceding and current row
        ) as account_name_span,
        count(segment) over (
            partition by account_id order by occurred_at_utc, event_id
            rows between unbounded preceding and current row
        ) as segment_span,
        count(industry) over (
            partition by account_id order by occurred_at_utc, event_id
            rows between unbounded preceding and current row
        ) as industry_span,
        count(region) over (
            partition by account_id order by occurred_at_utc, event_id
            rows between unbounded preceding and current row
        ) as region_span,
        count(country) over (
            partition by account_id order by occurred_at_utc, event_id
            rows between unbounded preceding and current row
        ) as country_span,
        count(employees) over (
            partition by account_id order by occurred_at_utc, event_id
            rows between unbounded preceding and current row
        ) as employees_span,
        count(owner_rep_id) over (
            partition by account_id order by occurred_at_utc, event_id
            rows between unbounded preceding and current row
        ) as owner_rep_id_span
    from updates
),

carried as (
    select
        account_id,
        event_id,
        occurred_on,
        occurred_at_utc,
        max(account_name) over (partition by account_id, account_name_span) as account_name,
        max(segment) over (partition by account_id, segment_span) as segment,
        max(industry) over (partition by account_id, industry_span) as industry,
        max(region) over (partition by account_id, region_span) as region,
        max(country) over (partition by account_id, country_span) as country,
        max(employees) over (partition by account_id, employees_span) as employees,
        max(owner_rep_id) over (partition by account_id, owner_rep_id_span) as owner_rep_id,
        row_number() over (
            partition by account_id, occurred_on order by occurred_at_utc desc, event_id desc
        ) as nth_of_day_from_last
    from spans
),

final as (
    select
        account_id,
        occurred_on as valid_from,
        lead(occurred_on) over (partition by account_id order by occurred_on) as valid_to,
        account_name,
        segment,
        industry,
        region,
        country,
        employees,
        owner_rep_id,
        event_id as last_event_id
    from carried
    where nth_of_day_from_last = 1
)

select * from final
