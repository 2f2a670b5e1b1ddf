{#- Incremental builds of the per-account models (int_purchases_identified, int_purchase_days_aggregated,
    int_accounts_first_seen, int_stage_timeline_evaluated, int_driver_signals_measured,
    int_revenue_lines_converted) and of the monthly marts (stage_snapshot_monthly, account_months).

    A build recomputes the whole history of every account that the loads since the last completed build
    may have changed (raw.account_changes, by load id, so a late event of any age is picked up). In the
    model's transaction it deletes those accounts' rows, then appends their recomputed rows. Deleting by
    account rather than merging on (account, day) also removes rows that no longer exist: the old lost
    day when a late purchase moved it, or an account whose only event a corrected day removed.
    A change of a lifecycle var, of any model's SQL (the monthly marts read other marts) or of a project
    macro rebuilds every account (int_builds_planned.rebuild_all); `lifecycle run --full-refresh`
    rebuilds every table from scratch. -#}

{#- Every var of dbt_project.yml (tests/unit/test_dbt_incremental.py keeps the two lists equal). -#}
{% macro lifecycle_var_names() -%}
    {{ return([
        'lost_after_days', 'loyal_window_days', 'loyal_min_purchase_days', 'at_risk_factor',
        'driver_lookback_months', 'churn_outcome_months', 'complaint_sla_days', 'post_sale_contact_days',
        'discount_high_rate', 'payment_late_days', 'key_account_share', 'reporting_timezone',
        'reporting_currency', 'as_of_date',
    ]) }}
{%- endmacro %}

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

{#- The latest row of int_builds_completed in this schema, or none. Read by relation name: a ref would
    make the plan depend on the build it plans. -#}
{% macro last_completed_build() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_builds_completed') -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        'select through_load_id, fingerprint from ' ~ relation ~ ' order by completed_at desc limit 1') -%}
    {{ return(found.rows[0] if found.rows | length > 0 else none) }}
{%- endmacro %}

{#- The fingerprints of the builds that started after the last completed one (int_builds_started): a build
    that stopped part way may have written some incremental tables under its fingerprint. -#}
{% macro interrupted_build_fingerprints() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set started = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_builds_started') -%}
    {%- if started is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set completed = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_builds_completed') -%}
    {%- set since = 'select max(completed_at) from ' ~ completed if completed is not none else 'null' -%}
    {%- set found = run_query(
        'select distinct fingerprint from ' ~ started
        ~ ' where started_at > coalesce((' ~ since ~ "), cast('1900-01-01' as timestamp))") -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}

{#- The filter of an incremental model's input: the touched accounts only (all of them on a first build). -#}
{% macro touched_accounts_only(account_column) -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('touched_accounts_filter', 'lifecycle')(account_column)) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro default__touched_accounts_filter(account_column) -%}
    {{ account_column }} in (select account_id from {{ ref('int_accounts_touched') }})
{%- endmacro %}

{#- DuckDB does not push a semi-join below a view's projection: the staging views convert every event's
    time zone before the touched accounts are picked (1.4 s at 10M events against 0.3 s). A day's few
    touched accounts are therefore written into the filter as literals, which reach the table scan; a
    larger set (a rebuild) keeps the semi-join. -#}
{% macro duckdb__touched_accounts_filter(account_column) -%}
    {%- set most = 1000 -%}
    {%- set found = run_query(
        'select account_id from ' ~ ref('int_accounts_touched')
        ~ ' order by account_id limit ' ~ (most + 1)) if execute else none -%}
    {%- if found is none or found.rows | length > most -%}
        {{ default__touched_accounts_filter(account_column) }}
    {%- elif found.rows | length == 0 -%}
        false
    {%- else -%}
        {{ account_column }} in (
        {%- for row in found.rows -%}
            '{{ row[0] | replace("'", "''") }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{#- The pre-hook of an incremental model: forget the touched accounts' rows (all rows on a rebuild), and
    the rows that meet `also`, a further SQL condition when given. -#}
{% macro delete_touched_accounts(also=none) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            (select rebuild_all from {{ ref('int_builds_planned') }})
            or account_id in (select account_id from {{ ref('int_accounts_touched') }})
            {%- if also %}
            or {{ also }}
            {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- The monthly marts (stage_snapshot_monthly, account_months) are incremental too: a month's row of an
    untouched account changes only while the month is not complete, so a build recomputes the touched
    accounts' months and every account's months from the month of the earlier of two as-of dates: the
    one the table was last built with (its latest snapshot_date, read before the pre-hook deletes
    anything) and this build's (the as-of date can go back). The table itself says what it holds, so a
    build that failed part way is caught up by the next one. -#}
{% macro changed_months_start() -%}
    {%- set as_of = '(select as_of_date from ' ~ ref('int_as_of_date_resolved') ~ ')' -%}
    {%- set built = run_query('select max(snapshot_date) from ' ~ this) if execute else none -%}
    {%- set last = built.rows[0][0] if built is not none else none -%}
    {{ period_start('month', "least(cast('" ~ last ~ "' as date), " ~ as_of ~ ")" if last is not none
        else as_of) }}
{%- endmacro %}

{% macro touched_accounts_or_changed_months(account_column, month_column) -%}
    {%- if is_incremental() -%}
        ({{ touched_accounts_only(account_column) }} or {{ month_column }} >= {{ changed_months_start() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_touched_accounts_and_changed_months() -%}
    {%- if is_incremental() -%}
        {{ delete_touched_accounts(also='month >= ' ~ changed_months_start()) }}
    {%- endif -%}
{%- endmacro %}
