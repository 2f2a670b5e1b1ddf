{#- The one preamble of a model built incrementally by account (touched_accounts.sql says how).

    Adding such a model is one step: call `{{ incremental_by_account() }}` at its top (instead of a
    config block), filter each input with touched_accounts_only(), and name it in
    incremental_by_account_models() below. int_builds_completed waits for every model named there (its
    row moves the watermark, so it must be skipped when one of them failed); a build stops, naming the
    model, when a model calls this macro but is not named there.

    `pre_hook` forgets the rows the build recomputes: the touched accounts' rows by default. A model whose
    rows follow the as-of date through the accounts' stage changes passes `restaged=true`: it recomputes
    the restaged accounts too (int_accounts_restaged), and by default forgets their rows as well. A model
    by month or quarter passes `by_period=true` (it recomputes them when its open month moves, and reads
    the as-of date; touched_accounts.sql). -#}
{% macro incremental_by_account(
    pre_hook=none, on_schema_change=none, by_period=false, restaged=false
) -%}
    {%- if pre_hook is none -%}
        {%- set pre_hook = "{{ delete_touched_accounts(restaged=true) }}" if restaged
            else "{{ delete_touched_accounts() }}" -%}
    {%- endif -%}
    {%- set settings = {
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': pre_hook,
        'meta': {'incremental_by_account': true},
    } -%}
    {%- if on_schema_change is not none -%}
        {%- do settings.update({'on_schema_change': on_schema_change}) -%}
    {%- endif -%}
    {{ config(**settings) }}
-- depends_on: {{ ref('int_builds_planned') }}
-- depends_on: {{ ref('int_accounts_touched') }}
{%- if by_period or restaged %}
-- depends_on: {{ ref('int_accounts_restaged') }}
-- depends_on: {{ ref('int_as_of_date_resolved') }}
{%- endif %}
{%- endmacro %}

{#- The models int_builds_completed waits for. -#}
{% macro incremental_by_account_models() -%}
    {{ return([
        'int_purchases_identified', 'int_purchase_days_aggregated', 'int_accounts_first_seen',
        'int_stage_timeline_evaluated', 'int_driver_signals_measured', 'int_revenue_lines_converted',
        'stage_snapshot_monthly', 'account_months', 'account_attributes_history',
        'int_account_months_attributed', 'int_account_quarters_owned', 'int_account_periods_summarized',
        'int_account_events_counted', 'account_coverage', 'int_purchase_days_valued',
        'int_invoices_settled', 'int_accounts_summarized', 'int_purchase_days_gapped',
        'lifecycle_transitions', 'lifecycle_history', 'int_current_signals_measured',
    ]) }}
{%- endmacro %}

{#- Stops the build when a model built incrementally by account is missing from the list above. -#}
{% macro assert_every_incremental_model_is_awaited() -%}
    {%- if execute -%}
        {%- set listed = incremental_by_account_models() -%}
        {%- for node in graph.nodes.values() | sort(attribute='name') -%}
            {%- if node.resource_type == 'model' and node.config.meta.get('incremental_by_account')
                and node.name not in listed -%}
                {{ exceptions.raise_compiler_error(
                    "model " ~ node.name ~ " is built incrementally by account, but int_builds_completed "
                    ~ "does not wait for it: name it in incremental_by_account_models() "
                    ~ "(macros/incremental/incremental_by_account.sql)") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
