{#- Engine-specific SQL lives here, behind adapter.dispatch; models stay portable (DuckDB now, Spark later). -#}

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

{#- amount / rate(currency) x rate(reporting currency), exact, rounded half-even to 4 decimals, the same on
    every engine. Division of decimals is inexact on both (DuckDB divides in binary floating point, Spark
    cuts the scale), so it is done on whole numbers: amount in 1/10^4 units times the reporting rate,
    divided by the source rate (both in 1/10^8 units), gives the result in 1/10^4 units; the remainder
    decides the rounding. -#}
{% macro fx_convert(amount, source_rate, reporting_rate) -%}
    {%- set numerator -%}
        ({{ whole_number('abs(' ~ amount ~ ') * 10000') }} * {{ whole_number(reporting_rate ~ ' * 100000000') }})
    {%- endset -%}
    {%- set denominator -%}{{ whole_number(source_rate ~ ' * 100000000') }}{%- endset -%}
    {%- set quotient -%}{{ whole_quotient(numerator, denominator) }}{%- endset -%}
    {%- set twice_remainder -%}(2 * ({{ numerator }} % {{ denominator }})){%- endset -%}
    cast(
        case when {{ amount }} < 0 then -1 else 1 end
        * cast(
            {{ quotient }}
            + case
                when {{ twice_remainder }} > {{ denominator }} then 1
                when {{ twice_remainder }} = {{ denominator }} then {{ quotient }} % 2
                else 0
            end
            as decimal(38, 0)
        )
        * cast(0.0001 as decimal(5, 4))
        as decimal(20, 4)
    )
{%- endmacro %}

{#- A whole number of up to 38 digits, computed exactly. -#}
{% macro whole_number(expr) -%}
    {{ return(adapter.dispatch('whole_number', 'lifecycle')(expr)) }}
{%- endmacro %}
{% macro default__whole_number(expr) -%}
    cast({{ expr }} as hugeint)
{%- endmacro %}
{% macro spark__whole_number(expr) -%}
    cast({{ expr }} as decimal(38, 0))
{%- endmacro %}

{#- The integer quotient of two whole numbers (rounded down; both are positive here). -#}
{% macro whole_quotient(numerator, denominator) -%}
    {{ return(adapter.dispatch('whole_quotient', 'lifecycle')(numerator, denominator)) }}
{%- endmacro %}
{% macro default__whole_quotient(numerator, denominator) -%}
    ({{ numerator }} // {{ denominator }})
{%- endmacro %}
{% macro spark__whole_quotient(numerator, denominator) -%}
    {#- the exact multiple divided: no digit of the quotient is lost to the division's scale -#}
    cast(({{ numerator }} - {{ numerator }} % {{ denominator }}) / {{ denominator }} as decimal(38, 0))
{%- endmacro %}

{#- The two rates a line needs (its currency and the reporting currency, on its booking date), joined as
    source_rate and reporting_rate from int_fx_rates_completed. A line in the reporting currency needs none. -#}
{% macro join_fx_rates(rates, currency, booked_on) -%}
    left join {{ rates }} as source_rate
        on
            {{ currency }} = source_rate.currency
            and {{ booked_on }} = source_rate.rate_date
            and {{ currency }} <> '{{ reporting_currency() }}'
    left join {{ rates }} as reporting_rate
        on
            reporting_rate.currency = '{{ reporting_currency() }}'
            and {{ booked_on }} = reporting_rate.rate_date
            and {{ currency }} <> '{{ reporting_currency() }}'
{%- endmacro %}

{#- An amount in the reporting currency: itself when already in it, else converted with the rates joined
    by join_fx_rates; null when a rate is missing (the build then stops on assert_revenue_lines_have_fx_rates). -#}
{% macro reporting_amount(amount, currency) -%}
    case
        when {{ currency }} = '{{ reporting_currency() }}' then {{ amount }}
        when source_rate.rate is not null and reporting_rate.rate is not null
            then {{ fx_convert(amount, 'source_rate.rate', 'reporting_rate.rate') }}
    end
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

{#- One row per whole number from first to last (inclusive), as column n. -#}
{% macro number_series(first, last) -%}
    {{ return(adapter.dispatch('number_series', 'lifecycle')(first, last)) }}
{%- endmacro %}
{% macro default__number_series(first, last) -%}
    select cast(unnest(range({{ first }}, {{ last }} + 1)) as integer) as n
{%- endmacro %}
{% macro spark__number_series(first, last) -%}
    select explode(sequence({{ first }}, {{ last }})) as n
{%- endmacro %}

{#- The sum of money amounts as decimal(38, 4) on every engine (DuckDB widens a decimal sum to 38 digits,
    Spark by 10): the marts' contracts promise one type. -#}
{% macro sum_money(expr) -%}
    cast(sum({{ expr }}) as decimal(38, 4))
{%- endmacro %}

{#- Stop the query with `message` (a string literal) where this expression is evaluated. -#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'lifecycle')(message)) }}
{%- endmacro %}
{% macro default__raise_error(message) -%}
    error('{{ message | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__raise_error(message) -%}
    raise_error('{{ message | replace("'", "''") }}')
{%- endmacro %}
