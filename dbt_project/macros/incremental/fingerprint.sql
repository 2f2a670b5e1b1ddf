{#- What a build's rows depend on besides the events, as one fingerprint: a change rebuilds every account. -#}

{#- The lifecycle vars of this build as a JSON object: recorded with each build, so `lifecycle reconcile`
    rebuilds with the settings the live tables were built with. -#}
{% macro lifecycle_settings_json() -%}
    {%- set settings = {} -%}
    {%- for name in lifecycle_var_names() -%}
        {%- do settings.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ return(tojson(settings, sort_keys=true)) }}
{%- endmacro %}

{#- What the incremental models' rows depend on besides the events: the vars, the model SQL and the
    project's macros (the churn-driver signals, the FX conversion and the date helpers live there), one
    entry each, so a new version of any of them rebuilds every account. -#}
{% macro incremental_fingerprint_parts() -%}
    {%- set parts = [lifecycle_settings_json()] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type == 'model' -%}
            {%- do parts.append(node.name ~ ':' ~ node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in context.keys() | sort -%}
        {%- set value = context[name] -%}
        {%- if value.macro is defined and value.macro.package_name == project_name -%}
            {%- do parts.append('macro ' ~ name ~ ':' ~ local_md5(value.macro.macro_sql)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{% macro incremental_fingerprint() -%}
    {{ return(local_md5(incremental_fingerprint_parts() | join('\n'))) }}
{%- endmacro %}
