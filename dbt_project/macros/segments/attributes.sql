{#- The account attributes the by-attribute marts break down by (spec section 13). -#}
{% macro breakdown_attributes() -%}
    {{ return(['segment', 'industry', 'region', 'owner_rep_id']) }}
{%- endmacro %}

{#- Join condition: the attribute_history row `history` in effect on date `d` of the account `account_id`. -#}
{% macro attributes_in_effect(history, account_id, d) -%}
    {{ history }}.account_id = {{ account_id }}
    and {{ history }}.valid_from <= {{ d }}
    and ({{ history }}.valid_to is null or {{ d }} < {{ history }}.valid_to)
{%- endmacro %}
