{#- The evaluation date: var as_of_date, or the latest event date when it is not set. -#}
{%- set as_of = var('as_of_date') -%}
{%- set iso_date = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' -%}
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
)

{% if as_of -%}
select cast('{{ as_of }}' as date) as as_of_date
{%- else -%}
    select max(occurred_on) as as_of_date from event_dates
{%- endif %}
