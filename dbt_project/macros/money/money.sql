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

{#- The sum of money amounts as decimal(38, 4) on every engine (DuckDB widens a decimal sum to 38 digits,
    Spark by 10): the marts' contracts promise one type. -#}
{% macro sum_money(expr) -%}
    cast(sum({{ expr }}) as decimal(38, 4))
{%- endmacro %}
