{#- Finance figures in one long shape (month, mart, measure, currency, revenue_class, value), so a month
    close can publish them and restatements can compare them, whatever mart they come from.
    One select per measure of `relation`; `dims` are the relation's key columns beside month
    (currency, revenue_class), absent ones are null. -#}
{% macro unpivot_figures(relation, mart, measures, dims=[]) -%}
    {%- for measure in measures %}
    select
        month,
        '{{ mart }}' as mart,
        '{{ measure }}' as measure,
        {{ 'currency' if 'currency' in dims else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as currency,
        {{ 'revenue_class' if 'revenue_class' in dims else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as revenue_class,
        cast({{ measure }} as decimal(38, 4)) as value
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
