{#- The lowercased column names of a relation: what an incremental model reads to tell what its table
    holds (a table of an earlier version may lack a column). -#}
{% macro column_names(relation) -%}
    {{ return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) }}
{%- endmacro %}
