{#- Numbers, one SQL per engine behind adapter.dispatch. -#}

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
