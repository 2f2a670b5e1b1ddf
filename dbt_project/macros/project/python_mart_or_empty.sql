{#- `select` of the columns of a table Python writes (a source), or, while it does not exist yet, of no
    rows in those columns: dbt run alone (a test build, a reconciliation of a new warehouse, the SQL linter)
    never fails on a table only the Dagster job makes. `columns`: (name, type) pairs. -#}
{% macro python_mart_or_empty(relation, columns) -%}
    {%- set found = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) if execute else relation -%}
    {%- if found is none %}
    select * from (
        select
            {%- for name, type in columns %}
            cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
    ) as no_rows
    where 1 = 0
    {%- else %}
    select
        {%- for name, _ in columns %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- endif %}
{%- endmacro %}
