{#- int_current_signals_measured, incremental by account. Every row is measured on the day after the as-of
    date, over the look-back window before it. When the as-of date moves, an account the loads did not
    touch keeps its signals unless one of its dates crosses a bound that moved with it:
      - a service event, contact, purchase day or invoice due day between the old and the new window
        start (it left or entered the window), or between the old and the new measuring day (it entered
        or left the part before the measuring day: the window's end, the latest contact, a ticket's state);
      - a complaint opened, or an invoice fallen due, whose deadline (complaint_sla_days,
        payment_late_days) lies between the two measuring days; an invoice paid between them.
    A build re-measures the touched accounts and those, and moves every other row's measuring day and
    window start to the new ones. A conservative superset: any service event near the SLA deadline
    counts, not only complaint openings. The table says which day it was measured on, so a build that
    stopped before it is caught up by the next. -#}

{#- The measuring day the table's rows hold (all hold the same), as an ISO string; none on a first build,
    on a rebuild of every account, when the table is empty, or where every account is re-measured
    each build (below). -#}
{% macro signals_last_measured_on() -%}
    {%- if not (execute and is_incremental() and remeasures_by_account()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        'select cast(max(stored.measured_on) as ' ~ dbt.type_string() ~ ') from ' ~ this ~ ' as stored'
        ~ ' cross join ' ~ ref('int_builds_planned') ~ ' as plan where not plan.rebuild_all') -%}
    {{ return(found.rows[0][0] if found.rows | length > 0 else none) }}
{%- endmacro %}

{#- Whether the engine re-measures only some accounts. Spark re-measures every account each build: its
    plan evaluated the re-measured set once for each use of the windows (33 s for the 60 accounts of
    the Spark test, against 8 s for all of them). -#}
{% macro remeasures_by_account() -%}
    {{ return(adapter.dispatch('remeasures_by_account', 'lifecycle')()) }}
{%- endmacro %}
{% macro default__remeasures_by_account() -%}
    {{ return(true) }}
{%- endmacro %}
{% macro spark__remeasures_by_account() -%}
    {{ return(false) }}
{%- endmacro %}

{#- This build's measuring day, the day after the as-of date, as a scalar query. -#}
{% macro signals_measured_on() -%}
    (select {{ add_days('as_of_date', 1) }} from {{ ref('int_as_of_date_resolved') }})
{%- endmacro %}

{#- The accounts a build re-measures when the table was measured on `last` (signals_last_measured_on()). -#}
{% macro remeasured_accounts(last) -%}
    {%- set lookback = day_count('driver_lookback_months') -%}
    {%- set sla = day_count('complaint_sla_days') -%}
    {%- set late_days = validated_setting('payment_late_days', '^[0-9]+$', 'a whole number >= 0') | int -%}
    {%- set old = "cast('" ~ last ~ "' as date)" -%}
    {%- set new = signals_measured_on() -%}
    {%- set bounds -%}
        (
            select
                least({{ old }}, {{ new }}) as low,
                greatest({{ old }}, {{ new }}) as high,
                {{ add_months('least(' ~ old ~ ', ' ~ new ~ ')', -lookback) }} as low_start,
                {{ add_months('greatest(' ~ old ~ ', ' ~ new ~ ')', -lookback) }} as high_start
        ) as bounds
    {%- endset -%}
    {%- set dated = [
        (ref('stg_service__events'), [crossed_a_bound('dated.occurred_on', sla + 1)]),
        (ref('stg_contact__events'), [crossed_a_bound('dated.occurred_on')]),
        (ref('int_purchases_identified'), [crossed_a_bound('dated.purchase_date')]),
        (ref('int_invoices_settled'), [
            crossed_a_bound('dated.due_on', late_days + 1),
            '(dated.paid_on >= bounds.low and dated.paid_on < bounds.high)',
        ]),
    ] -%}
    select account_id from {{ ref('int_accounts_touched') }}
    {%- for relation, crossings in dated %}
    union
    select dated.account_id
    from {{ relation }} as dated
    cross join {{ bounds }}
    where bounds.low < bounds.high and ({{ crossings | join(' or ') }})
    {%- endfor %}
{%- endmacro %}

{#- `column` (of the relation `dated`) lies between the old and the new window start, or between
    `lead_days` before the earlier measuring day and the later one. -#}
{% macro crossed_a_bound(column, lead_days=0) -%}
    ({{ column }} >= bounds.low_start and {{ column }} < bounds.high_start)
    or (
        {{ column }} >= {{ add_days('bounds.low', -lead_days) if lead_days else 'bounds.low' }}
        and {{ column }} < bounds.high
    )
{%- endmacro %}

{#- The filter of the accounts the model measures: every account on a first build, a rebuild or an empty
    table, else the re-measured ones. -#}
{% macro remeasured_accounts_only(account_column) -%}
    {%- set last = signals_last_measured_on() -%}
    {%- if last is none -%}
        true
    {%- else -%}
        {{ account_column }} in ({{ remeasured_accounts(last) }})
    {%- endif -%}
{%- endmacro %}

{#- The first pre-hook: forget the re-measured accounts' rows (every row when the table holds no measuring
    day or every account is rebuilt). -#}
{% macro delete_remeasured_accounts() -%}
    {%- if is_incremental() -%}
        {%- set last = signals_last_measured_on() -%}
        delete from {{ this }}
        {%- if last is not none %}
        where account_id in ({{ remeasured_accounts(last) }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The second pre-hook (a statement of its own: Spark takes one per hook): move every row left to this
    build's measuring day and window start. -#}
{% macro move_measured_rows() -%}
    {%- if is_incremental() -%}
        {%- set lookback = day_count('driver_lookback_months') -%}
        update {{ this }}
        set
            measured_on = {{ signals_measured_on() }},
            window_start = {{ add_months(signals_measured_on(), -lookback) }}
        where measured_on <> {{ signals_measured_on() }}
    {%- endif -%}
{%- endmacro %}
