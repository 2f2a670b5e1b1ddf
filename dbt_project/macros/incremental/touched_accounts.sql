{#- Incremental builds of the per-account models and of the monthly marts (the models that call
    incremental_by_account(), macros/incremental/incremental_by_account.sql).

    A build recomputes the whole history of every account that the loads since the last completed build
    may have changed (raw.account_changes, by load id, so a late event of any age is picked up). In the
    model's transaction it deletes those accounts' rows, then appends their recomputed rows. Deleting by
    account rather than merging on (account, day) also removes rows that no longer exist: the old lost
    day when a late purchase moved it, or an account whose only event a corrected day removed.
    A change of a lifecycle var, of any model's SQL (the monthly marts read other marts) or of a project
    macro rebuilds every account (int_builds_planned.rebuild_all); `lifecycle run --full-refresh`
    rebuilds every table from scratch. -#}

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
    time zone before the touched accounts are picked, several times slower. A day's few
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
    {%- set built = none -%}
    {%- if execute -%}
        {#- a table of an earlier version may lack the column: its build rebuilds every account anyway -#}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if 'snapshot_date' in columns -%}
            {%- set built = run_query('select max(snapshot_date) from ' ~ this) -%}
        {%- endif -%}
    {%- endif -%}
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

{#- The same by quarter (int_account_quarters_owned, int_account_periods_summarized): the rows whose
    `column` lies from the first changed month's quarter on. -#}
{% macro delete_touched_accounts_and_changed_quarters(column='quarter_start') -%}
    {%- if is_incremental() -%}
        {{ delete_touched_accounts(also=column ~ ' >= ' ~ period_start('quarter', changed_months_start())) }}
    {%- endif -%}
{%- endmacro %}
