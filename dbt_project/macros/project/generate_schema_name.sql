{#- Schemas are exactly staging, intermediate and marts (not <target>_<custom>): the marts are the
    public interface and their names must not depend on who builds them. The var schema_suffix (not a
    lifecycle setting) is only set by `lifecycle reconcile`, which rebuilds into <schema>_shadow. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set suffix = var('schema_suffix', '') -%}
    {%- if suffix and not modules.re.match('^_[a-z]+$', suffix) -%}
        {{ exceptions.raise_compiler_error("var schema_suffix must be _ and lowercase letters, got: " ~ suffix) }}
    {%- endif -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{{ suffix }}{%- endif -%}
{%- endmacro %}
