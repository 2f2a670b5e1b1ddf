{#- The evaluation date: var as_of_date, or the latest event date when it is not set. A set date must lie
    within the events' span, up to ten years after the last event: 0001-01-01 emptied every mart, and
    9999-12-31 made every monthly mart millions of rows per account. -#}
{%- set as_of = var('as_of_date') -%}
{%- set iso_date = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' -%}
{%- set margin_days = 3653 -%}
{%- if as_of and not modules.re.match(iso_date, as_of | string) -%}
    {{ exceptions.raise_compiler_error("var as_of_date must be a date YYYY-MM-DD, got: " ~ as_of) }}
{%- endif %}

with

event_dates as (
    select occurred_on from {{ ref('stg_sales__events') }}
    union all
    select occurred_on from {{ ref('stg_service__events') }}
    union all
    select occurred_on from {{ ref('stg_contact__events') }}
),

span as (
    select
        min(occurred_on) as first_on,
        max(occurred_on) as last_on
    from event_dates
),

final as (
    {%- if as_of %}
        select
            case
                when
                    cast('{{ as_of }}' as date) < span.first_on
                    or cast('{{ as_of }}' as date) > {{ add_days('span.last_on', margin_days) }}
                    then cast({{ raise_error(
                        'setting as_of_date ' ~ as_of ~ ' lies outside the events: give a date from the first '
                        ~ 'event date to ' ~ margin_days ~ ' days after the last (intermediate.int_as_of_date_resolved)'
                    ) }} as date)
                else cast('{{ as_of }}' as date)
            end as as_of_date
        from span
    {%- else %}
        select span.last_on as as_of_date
        from span
    {%- endif %}
)

select * from final
