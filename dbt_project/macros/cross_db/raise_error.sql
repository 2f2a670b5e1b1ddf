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
