{#- Strings, one SQL per engine behind adapter.dispatch. -#}

{#- The distinct values of `expr` in a group, sorted, joined by `separator` (null when the group has none). -#}
{% macro sorted_distinct_list(expr, separator=', ') -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'lifecycle')(expr, separator)) }}
{%- endmacro %}
{% macro default__sorted_distinct_list(expr, separator) -%}
    string_agg(distinct {{ expr }}, '{{ separator }}' order by {{ expr }})
{%- endmacro %}
{% macro spark__sorted_distinct_list(expr, separator) -%}
    nullif(concat_ws('{{ separator }}', array_sort(collect_set({{ expr }}))), '')
{%- endmacro %}
