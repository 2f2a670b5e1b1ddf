{#- Reconciliation: two computations of the same figures must agree exactly, to the cent and the account.
    `left` and `right` are relations (CTE names) with the columns `keys` and `value`; a key missing on
    one side counts as 0 there. Each failing row says which check, where, and both values. -#}
{% macro reconciliation_failures(check, left, right, keys) -%}
    {%- set key_text = [] -%}
    {%- for key in keys -%}
        {%- do key_text.append("cast(coalesce(l." ~ key ~ ", r." ~ key ~ ") as " ~ dbt.type_string() ~ ")") -%}
        {%- if not loop.last %}{% do key_text.append("' '") %}{% endif -%}
    {%- endfor %}
    select
        {{ dbt.concat(["'" ~ check ~ " at '"] + key_text + [
            "': '", "cast(coalesce(l.value, 0) as " ~ dbt.type_string() ~ ")",
            "' <> '", "cast(coalesce(r.value, 0) as " ~ dbt.type_string() ~ ")"]) }} as problem,
        coalesce(l.value, 0) - coalesce(r.value, 0) as difference
    from {{ left }} as l
    full outer join {{ right }} as r
        on {% for key in keys %}l.{{ key }} = r.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    where coalesce(l.value, 0) <> coalesce(r.value, 0)
{%- endmacro %}

{#- The ledger's total per month in the reporting currency, as (month, value): the figure most
    reconciliations compare with. -#}
{% macro ledger_reporting_per_month(ledger) -%}
    select
        month,
        sum(net_revenue_reporting) as value
    from {{ ledger }}
    group by month
{%- endmacro %}
