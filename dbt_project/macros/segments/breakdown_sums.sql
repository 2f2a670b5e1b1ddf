{#- A test's failures where a by-attribute mart, summed over each attribute's values, differs from its
    parent mart. `measures`: column names (the same on both sides) or [breakdown expression, parent
    expression] pairs, e.g. ['transferred_in - transferred_out', '0']. `keys`: the parent's row keys. -#}
{% macro breakdown_sum_failures(breakdown, parent, keys, measures) -%}
    {%- set key_list = keys | join(', ') -%}
with

attributes as (
    {%- for attribute in breakdown_attributes() %}
        select '{{ attribute }}' as attribute
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),
{%- for measure in measures %}
    {%- set pair = [measure, measure] if measure is string else measure %}

summed_{{ loop.index }} as (
    select
        attribute,
        {{ key_list }},
        sum({{ pair[0] }}) as value
    from {{ breakdown }}
    group by attribute, {{ key_list }}
),

parent_{{ loop.index }} as (
    select
        attributes.attribute,
        {%- for key in keys %}
            parent.{{ key }},
        {%- endfor %}
        {{ pair[1] }} as value
    from {{ parent }} as parent
    cross join attributes
),
{%- endfor %}

failures as (
    {%- for measure in measures %}
        {%- set label = measure if measure is string else measure[0] %}
        {{ reconciliation_failures(
            label ~ ' summed over the values vs ' ~ parent.identifier,
            'summed_' ~ loop.index, 'parent_' ~ loop.index, ['attribute'] + keys) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

-- in a fixed order: the first rows are what a failed run shows
select * from failures
order by problem
{%- endmacro %}
