{#- Which churn drivers the data can measure. A driver whose events never occur in the warehouse is not
    measured at all (its bands would describe the missing data, not the customers: without payments every
    invoice looks unpaid, without contact events every account looks neglected). One row per driver. -#}
with

events_counted as (
    select * from {{ ref('int_account_events_counted') }}
),

seen as (
    select
        coalesce(sum(case when event_type = 'order_placed' then events end), 0) as orders,
        coalesce(sum(case when event_type = 'payment_received' then events end), 0) as payments,
        coalesce(sum(case when event_type = 'ticket_opened' then events end), 0) as tickets,
        coalesce(sum(case when event_type = 'satisfaction_rated' then events end), 0) as ratings,
        coalesce(sum(case when stream = 'contact' then events end), 0) as contacts
    from events_counted
),

final as (
    {%- for driver, stream, count, missing in [
        ('complaint_handling', 'service', 'tickets', 'no tickets (service: ticket_opened)'),
        ('csat', 'service', 'ratings', 'no satisfaction ratings (service: satisfaction_rated)'),
        ('contact_persons', 'contact', 'contacts', 'no contact events'),
        ('post_sale_contact', 'contact', 'contacts', 'no contact events'),
        ('discount', 'sales', 'orders', 'no orders (sales: order_placed)'),
        ('payment', 'sales', 'payments', 'no payments (sales: payment_received)'),
    ] %}
        select
            '{{ driver }}' as driver,
            '{{ stream }}' as stream,
            {{ count }} > 0 as is_available,
            '{{ missing }}' as missing
        from seen
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
