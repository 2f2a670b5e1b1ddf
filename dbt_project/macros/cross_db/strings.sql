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

{#- The first `limit_num` values of `expr` in a group, sorted, joined by `separator`. dbt's own listagg
    drops its order-by clause on Spark, so the list came out in arrival order there. -#}
{% macro sorted_list(expr, limit_num, separator=', ') -%}
    {{ return(adapter.dispatch('sorted_list', 'lifecycle')(expr, limit_num, separator)) }}
{%- endmacro %}
{% macro default__sorted_list(expr, limit_num, separator) -%}
    list_aggr((array_agg({{ expr }} order by {{ expr }}))[1:{{ limit_num }}], 'string_agg', '{{ separator }}')
{%- endmacro %}
{% macro spark__sorted_list(expr, limit_num, separator) -%}
    array_join(slice(array_sort(collect_list({{ expr }})), 1, {{ limit_num }}), '{{ separator }}')
{%- endmacro %}
