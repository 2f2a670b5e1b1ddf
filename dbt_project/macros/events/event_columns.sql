{#- A one-way hash that keeps personal ids out of the marts. -#}
{% macro pseudonymise(expr) -%}
    {{ dbt.hash(expr) }}
{%- endmacro %}

{#- The time columns every staged event carries: UTC instant, reporting date, and knowledge time.
    A date-only event (occurred_at_is_date) is that calendar day in the reporting timezone. -#}
{% macro event_time_columns(occurred_at='occurred_at') -%}
        case
            when {{ occurred_at }}_is_date then {{ reporting_midnight_utc(utc_date(occurred_at)) }}
            else {{ to_utc_timestamp(occurred_at) }}
        end as occurred_at_utc,
        case
            when {{ occurred_at }}_is_date then {{ utc_date(occurred_at) }}
            else {{ to_reporting_date(occurred_at) }}
        end as occurred_on,
        arrival_date,
        ingested_at
{%- endmacro %}
