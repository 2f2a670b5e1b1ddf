{#- The month-close tables (schema finance): `lifecycle close-month` appends to them, the restatements
    mart reads them. Created before every dbt run (on-run-start), so a build, by Dagster or by hand, finds
    them; never replaced or truncated: what finance published stays. -#}
{% macro create_finance_tables() -%}
    {{ return(adapter.dispatch('create_finance_tables', 'lifecycle')()) }}
{%- endmacro %}
{#- Spark reads them from the export of the DuckDB warehouse (macros/spark_inputs.sql). -#}
{% macro spark__create_finance_tables() -%}
    select 1
{%- endmacro %}
{% macro default__create_finance_tables() -%}
    {%- set text = dbt.type_string() -%}
    {%- set statements = [
        "create schema if not exists finance",
        "create table if not exists finance.month_closes (
            close_id integer not null,
            month date not null,
            version integer not null,
            closed_at " ~ dbt.type_timestamp() ~ " not null,
            arrival_cutoff date not null,
            marts_built_at " ~ dbt.type_timestamp() ~ " not null,
            closed_by " ~ text ~ " not null,
            figures bigint not null
        )",
        "create table if not exists finance.published_figures (
            close_id integer not null,
            month date not null,
            mart " ~ text ~ " not null,
            measure " ~ text ~ " not null,
            currency " ~ text ~ ",
            revenue_class " ~ text ~ ",
            figure_key " ~ text ~ " not null,
            value decimal(38, 4) not null
        )",
    ] -%}
    {%- for statement in statements %}
        {%- do run_query(statement) %}
    {%- endfor %}
    select 1 {# the hook's own statement #}
{%- endmacro %}
