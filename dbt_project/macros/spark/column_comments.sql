{#- Column descriptions as Spark column comments, cut to the 256 characters a Hive metastore keeps
    (its COLUMNS_V2.COMMENT column; a longer comment fails the build). The full text stays in dbt docs. -#}
{% macro spark__alter_column_comment(relation, column_dict) -%}
    {%- set cut = {} -%}
    {%- for name, column in column_dict.items() -%}
        {%- set description = column['description'] -%}
        {%- do cut.update({name: dict(column, description=(
            description if description | length <= 256 else description[:253] ~ '...'))}) -%}
    {%- endfor -%}
    {{ return(dbt.spark__alter_column_comment(relation, cut)) }}
{%- endmacro %}
