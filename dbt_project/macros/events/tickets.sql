{#- The state of a support ticket, defined once for the accounts mart and the churn-driver signals: its
    status events are the opening, resolutions and reopenings, and it is open while the latest of them
    (at the point it is looked at) is an opening or a reopening. -#}
{% macro ticket_status_events() -%}
    ('ticket_opened', 'ticket_resolved', 'ticket_reopened')
{%- endmacro %}

{% macro ticket_is_open(latest_status_event) -%}
    {{ latest_status_event }} in ('ticket_opened', 'ticket_reopened')
{%- endmacro %}
