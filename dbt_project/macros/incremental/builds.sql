{#- The latest row of int_builds_completed in this schema, or none. Read by relation name: a ref would
    make the plan depend on the build it plans. -#}
{% macro last_completed_build() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_builds_completed') -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        'select through_load_id, fingerprint, cast(as_of_date as ' ~ dbt.type_string() ~ ') from ' ~ relation
        ~ ' order by completed_at desc limit 1') -%}
    {{ return(found.rows[0] if found.rows | length > 0 else none) }}
{%- endmacro %}

{#- The fingerprints of the builds that started after the last completed one (int_builds_started): a build
    that stopped part way may have written some incremental tables under its fingerprint. -#}
{% macro interrupted_build_fingerprints() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set started = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_builds_started') -%}
    {%- if started is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set completed = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_builds_completed') -%}
    {%- set since = 'select max(completed_at) from ' ~ completed if completed is not none else 'null' -%}
    {%- set found = run_query(
        'select distinct fingerprint from ' ~ started
        ~ ' where started_at > coalesce((' ~ since ~ "), cast('1900-01-01' as timestamp))") -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}
