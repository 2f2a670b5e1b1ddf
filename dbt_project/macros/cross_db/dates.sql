{#- Dates and instants, one SQL per engine behind adapter.dispatch, so models stay portable. -#}

{#- Calendar date of a UTC timestamp in the reporting timezone. -#}
{% macro to_reporting_date(ts) -%}
    {{ return(adapter.dispatch('to_reporting_date', 'lifecycle')(ts)) }}
{%- endmacro %}
{% macro default__to_reporting_date(ts) -%}
    cast(timezone('{{ reporting_timezone() }}', {{ ts }}) as date)
{%- endmacro %}
{% macro spark__to_reporting_date(ts) -%}
    to_date(from_utc_timestamp({{ ts }}, '{{ reporting_timezone() }}'))
{%- endmacro %}

{#- A UTC timestamp without time zone. -#}
{% macro to_utc_timestamp(ts) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'lifecycle')(ts)) }}
{%- endmacro %}
{% macro default__to_utc_timestamp(ts) -%}
    timezone('UTC', {{ ts }})
{%- endmacro %}
{% macro spark__to_utc_timestamp(ts) -%}
    cast({{ ts }} as timestamp)
{%- endmacro %}

{#- Whole days since 1970-01-01: an integer to order window frames by day (RANGE frames need numbers). -#}
{% macro day_number(d) -%}
    {{ return(adapter.dispatch('day_number', 'lifecycle')(d)) }}
{%- endmacro %}
{% macro default__day_number(d) -%}
    cast({{ d }} - date '1970-01-01' as integer)
{%- endmacro %}
{% macro spark__day_number(d) -%}
    datediff({{ d }}, date '1970-01-01')
{%- endmacro %}

{#- date + n days, n an integer expression. -#}
{% macro add_days(d, n) -%}
    {{ return(adapter.dispatch('add_days', 'lifecycle')(d, n)) }}
{%- endmacro %}
{% macro default__add_days(d, n) -%}
    cast({{ d }} + cast({{ n }} as integer) as date)
{%- endmacro %}
{% macro spark__add_days(d, n) -%}
    date_add({{ d }}, {{ n }})
{%- endmacro %}

{#- One row per month start between two dates (inclusive), as column month_start. -#}
{% macro month_starts(first_date, last_date) -%}
    {{ return(adapter.dispatch('month_starts', 'lifecycle')(first_date, last_date)) }}
{%- endmacro %}
{% macro default__month_starts(first_date, last_date) -%}
    select cast(unnest(generate_series(
        cast(date_trunc('month', {{ first_date }}) as date),
        cast(date_trunc('month', {{ last_date }}) as date),
        interval 1 month)) as date) as month_start
{%- endmacro %}
{% macro spark__month_starts(first_date, last_date) -%}
    select explode(sequence(trunc({{ first_date }}, 'MM'), trunc({{ last_date }}, 'MM'), interval 1 month))
        as month_start
{%- endmacro %}

{#- The UTC calendar date of a UTC timestamp (a date-only event is stored as midnight UTC of its date). -#}
{% macro utc_date(ts) -%}
    {{ return(adapter.dispatch('utc_date', 'lifecycle')(ts)) }}
{%- endmacro %}
{% macro default__utc_date(ts) -%}
    cast(timezone('UTC', {{ ts }}) as date)
{%- endmacro %}
{% macro spark__utc_date(ts) -%}
    to_date({{ ts }})
{%- endmacro %}

{#- Midnight of a calendar date in the reporting timezone, as a UTC timestamp without time zone. -#}
{% macro reporting_midnight_utc(d) -%}
    {{ return(adapter.dispatch('reporting_midnight_utc', 'lifecycle')(d)) }}
{%- endmacro %}
{% macro default__reporting_midnight_utc(d) -%}
    timezone('UTC', timezone('{{ reporting_timezone() }}', cast({{ d }} as timestamp)))
{%- endmacro %}
{% macro spark__reporting_midnight_utc(d) -%}
    to_utc_timestamp(cast({{ d }} as timestamp), '{{ reporting_timezone() }}')
{%- endmacro %}

{#- The first day of the month / quarter / year of a date, as a date (date_trunc gives a timestamp on
    some engines). -#}
{% macro period_start(grain, d) -%}
    cast({{ dbt.date_trunc(grain, d) }} as date)
{%- endmacro %}

{#- date + n months, as a date (n an integer; end-of-month days clamp to the shorter month). -#}
{% macro add_months(d, n) -%}
    cast({{ dbt.dateadd('month', n, d) }} as date)
{%- endmacro %}
