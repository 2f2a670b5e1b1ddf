{#- Schemas are exactly staging, intermediate and marts (not <target>_<custom>): the marts are the
    public interface and their names must not depend on who builds them. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
