{#- <warehouse>/spark/<name>, checked to be safe inside a quoted Spark SQL path. -#}
{% macro spark_folder(name) -%}
    {%- set folder = var('warehouse_dir', env_var('LIFECYCLE_WAREHOUSE', '../warehouse')) ~ '/spark/' ~ name -%}
    {%- if not modules.re.match('^[^`\'"\\\\\n]+$', folder) -%}
        {{ exceptions.raise_compiler_error("the warehouse path cannot be used in Spark SQL: " ~ folder) }}
    {%- endif -%}
    {{ return(folder) }}
{%- endmacro %}

{#- On Spark, the dbt sources are views over the Parquet files that `lifecycle` exports from the ingest
    layer (pipelines/spark/inputs.py): a folder per table, <warehouse>/spark/inputs/<schema>/<table>/.
    Registered by the on-run-start hook before every build; other engines read the tables themselves. -#}
{% macro register_spark_inputs() -%}
    {{ return(adapter.dispatch('register_spark_inputs', 'lifecycle')()) }}
{%- endmacro %}
{% macro default__register_spark_inputs() -%}
    select 1
{%- endmacro %}
{% macro spark__register_spark_inputs() -%}
    {%- set folder = spark_folder('inputs') -%}
    {%- for source in (graph.sources.values() if execute else []) | sort(attribute='unique_id') -%}
        {%- do run_query('create database if not exists ' ~ source.schema) -%}
        {%- do run_query(
            'create or replace view ' ~ source.schema ~ '.' ~ source.identifier
            ~ ' as select * from parquet.`' ~ folder ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ '`'
        ) -%}
    {%- endfor %}
    select 1
{%- endmacro %}

{#- On Spark, after a build in which every node succeeded, each mart it built is written as Parquet to
    <warehouse>/spark/exports/<mart>/ (one file), for readers and for the comparison with DuckDB. A build
    of selected models (`dbt build --select ...` by hand) exports the marts among them, and only those. -#}
{% macro export_spark_marts(results) -%}
    {{ return(adapter.dispatch('export_spark_marts', 'lifecycle')(results)) }}
{%- endmacro %}
{% macro default__export_spark_marts(results) -%}
    select 1
{%- endmacro %}
{% macro spark__export_spark_marts(results) -%}
    {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'skipped']) | list -%}
    {%- if execute and not failed -%}
        {%- set folder = spark_folder('exports') -%}
        {%- for node in results | map(attribute='node') | sort(attribute='unique_id') -%}
            {%- if node.resource_type == 'model' and node.fqn[1] == 'marts' -%}
                {%- do run_query(
                    "insert overwrite directory '" ~ folder ~ '/' ~ node.name ~ "' using parquet "
                    ~ 'select /*+ coalesce(1) */ * from ' ~ node.schema ~ '.' ~ node.alias) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select 1
{%- endmacro %}
