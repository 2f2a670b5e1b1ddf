{#- Stage of every account on a date, from lifecycle_history.
    In a model or analysis:  select * from ({{ stage_as_of("date '2025-06-30'") }}) as s
    In DuckDB (for BI and ad-hoc SQL) the same is a table macro:  select * from marts.stage_on(date '2025-06-30')
    Accounts not yet known on that date have no row. -#}
{% macro stage_as_of(as_of_date) -%}
    select account_id, stage, valid_from as stage_since, {{ as_of_date }} as as_of_date
    from {{ ref('lifecycle_history') }}
    where valid_from <= {{ as_of_date }} and (valid_to is null or valid_to > {{ as_of_date }})
{%- endmacro %}

{#- Post-hook of lifecycle_history: publish stage_as_of as a DuckDB table macro marts.stage_on(d). -#}
{% macro create_stage_on_function() -%}
    {{ return(adapter.dispatch('create_stage_on_function', 'lifecycle')()) }}
{%- endmacro %}
{% macro default__create_stage_on_function() -%}
    select 1 {# other engines: use the stage_as_of macro #}
{%- endmacro %}
{% macro duckdb__create_stage_on_function() -%}
    create or replace macro {{ this.schema }}.stage_on(d) as table
        select account_id, stage, valid_from as stage_since, cast(d as date) as as_of_date
        from {{ this }}
        where valid_from <= cast(d as date) and (valid_to is null or valid_to > cast(d as date))
{%- endmacro %}
