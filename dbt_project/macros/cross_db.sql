{#- Engine-specific SQL lives here, behind adapter.dispatch; models stay portable (DuckDB now, Spark later). -#}

{#- Calendar date of a UTC timestamp in the reporting timezone. -#}
{% macro to_reporting_date(ts) -%}
    {{ return(adapter.dispatch('to_reporting_date', 'lifecycle')(ts)) }}
{%- endmacro %}
{% macro default__to_reporting_date(ts) -%}
    cast(timezone('{{ var("reporting_timezone") }}', {{ ts }}) as date)
{%- endmacro %}
{% macro spark__to_reporting_date(ts) -%}
    to_date(from_utc_timestamp({{ ts }}, '{{ var("reporting_timezone") }}'))
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

{#- Exact continuous percentile (median = 0.5) as an aggregate. -#}
{% macro percentile_cont(expr, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'lifecycle')(expr, fraction)) }}
{%- endmacro %}
{% macro default__percentile_cont(expr, fraction) -%}
    quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}
{% macro spark__percentile_cont(expr, fraction) -%}
    percentile({{ expr }}, {{ fraction }})
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

{#- A one-way hash that keeps personal ids out of the marts. -#}
{% macro pseudonymise(expr) -%}
    {{ dbt.hash(expr) }}
{%- endmacro %}

{#- The time columns every staged event carries: UTC instant, reporting date, and knowledge time. -#}
{% macro event_time_columns(occurred_at='occurred_at') -%}
        {{ to_utc_timestamp(occurred_at) }} as occurred_at_utc,
        {{ to_reporting_date(occurred_at) }} as occurred_on,
        arrival_date,
        ingested_at
{%- endmacro %}
