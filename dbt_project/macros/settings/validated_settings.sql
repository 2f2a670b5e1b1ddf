{#- Lifecycle settings (dbt vars) as they reach SQL: validated here, so a value typed by hand into
    `dbt build --vars` can neither break nor change a query. The CLI and Dagster validate the same
    settings before a run starts (pipelines/config/lifecycle.py); this is the last line of defence. -#}

{% macro validated_setting(name, pattern, expected) -%}
    {%- set value = var(name) | string -%}
    {%- if not modules.re.match(pattern, value) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be " ~ expected ~ ", got: " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro reporting_currency() -%}
    {{ return(validated_setting('reporting_currency', '^[A-Z]{3}$', 'an ISO 4217 code such as EUR')) }}
{%- endmacro %}

{% macro reporting_timezone() -%}
    {{ return(validated_setting(
        'reporting_timezone', '^[A-Za-z][A-Za-z0-9_+/-]*$', 'a tz-database zone such as Europe/Berlin')) }}
{%- endmacro %}

{#- A whole-number setting of at least 1. -#}
{% macro day_count(name) -%}
    {{ return(validated_setting(name, '^[1-9][0-9]*$', 'a whole number >= 1') | int) }}
{%- endmacro %}

{#- The buying stages: an account in one of them is "active" in every mart. -#}
{% macro active_stages() -%}
    ('first_buyer', 'repeat', 'loyal')
{%- endmacro %}

{% macro is_active(stage) -%}
    {{ stage }} in {{ active_stages() }}
{%- endmacro %}
