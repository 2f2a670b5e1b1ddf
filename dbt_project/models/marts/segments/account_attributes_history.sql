{#- The account master as a slowly changing dimension (type 2): one row per account and day on which the
    CRM changed it, [valid_from, valid_to) with valid_to the next row's valid_from and null for the current
    row. An account_updated event sets the attributes it carries from its day on and leaves the others as
    they were; several on one day apply in time order. Point in time: join on valid_from <= d and
    (valid_to is null or d < valid_to); accounts before their first update have no row. -#}
{%- set attributes = ['account_name', 'segment', 'industry', 'region', 'country', 'employees', 'owner_rep_id'] %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

updates as (
    select updates.*
    from {{ ref('stg_contact__account_updates') }} as updates
    inner join as_of on updates.occurred_on <= as_of.as_of_date
),

-- a running count of the updates that set an attribute numbers the spans over which its value holds
spans as (
    select
        *,
        {%- for attribute in attributes %}
            count({{ attribute }}) over (
                partition by account_id order by occurred_at_utc, event_id
                rows between unbounded preceding and current row
            ) as {{ attribute }}_span{{ ',' if not loop.last }}
        {%- endfor %}
    from updates
),

carried as (
    select
        account_id,
        event_id,
        occurred_on,
        occurred_at_utc,
        {%- for attribute in attributes %}
            max({{ attribute }}) over (partition by account_id, {{ attribute }}_span) as {{ attribute }},
        {%- endfor %}
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
        {%- for attribute in attributes %}
            {{ attribute }},
        {%- endfor %}
        event_id as last_event_id
    from carried
    where nth_of_day_from_last = 1
)

select * from final
