{#- One row, one boolean column per churn driver: whether the data can measure it (`drivers`: the relation
    of int_drivers_available, one row per driver with is_available). A driver the data cannot measure has
    no band where this is cross-joined (null), not the band its missing events would give. -#}
{% macro drivers_measurable(drivers) -%}
    {%- set names = [
        'complaint_handling', 'csat', 'contact_persons', 'post_sale_contact', 'discount', 'payment'
    ] %}
    select
        {%- for name in names %}
            max(case when driver = '{{ name }}' and is_available then 1 else 0 end) = 1 as {{ name }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ drivers }}
{%- endmacro %}
