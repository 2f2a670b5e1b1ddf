{#- The rows an incremental build may have written, as a filter for the data tests of an incremental model
    (macros/tests/unique_combination.sql): its touched and restaged accounts' rows, and with
    `period_column` every account's rows from the first period the pre-hook rewrote
    (delete_touched_accounts_and_changed_months or _quarters). Every row outside it was written, and
    tested, by an earlier build that completed: a build whose tests fail never completes, so the next one
    recomputes the same accounts and periods. On a rebuild of every account it keeps every row.

    The first rewritten period is that of the earliest as-of date of the builds that may have written the
    table: the last completed one and every one started since (this one included; int_builds_started).
    When that cannot be told (no completed build, a row of an earlier version without its as-of date) the
    filter keeps every period. -#}
{% macro rows_written_by_build(account_column, period_column=none, period='month') -%}
    {%- set planned = ref('int_builds_planned') -%}
    {%- set touched = ref('int_accounts_touched') -%}
    {%- set started = ref('int_builds_started') -%}
    (
        (select rebuild_all from {{ planned }})
        or {{ account_column }} in (select account_id from {{ touched }})
        or {{ account_column }} in (select account_id from {{ ref('int_accounts_restaged') }})
        {%- if period_column %}
        or {{ period_column }} >= {{ first_rewritten_period(started, period) }}
        {%- endif %}
    )
{%- endmacro %}

{#- The start of the first `period` (month or quarter) a build may have rewritten for every account, as SQL:
    rows_written_by_build() says how it is found. -#}
{% macro first_rewritten_period(started, period) -%}
    {%- set earliest = none -%}
    {%- if execute -%}
        {#- read by name: int_builds_completed is built after the models whose tests call this -#}
        {%- set completed = adapter.get_relation(
            database=started.database, schema=started.schema, identifier='int_builds_completed') -%}
        {%- if completed is not none -%}
            {%- set found = run_query(
                'with last_done as (select max(completed_at) as completed_at from ' ~ completed ~ '), '
                ~ 'writers as ('
                ~ ' select started.as_of_date from ' ~ started ~ ' as started cross join last_done'
                ~ ' where started.started_at > last_done.completed_at'
                ~ ' union all'
                ~ ' select completed.as_of_date from ' ~ completed ~ ' as completed'
                ~ ' inner join last_done on completed.completed_at = last_done.completed_at'
                ~ ') select count(*), count(as_of_date), min(as_of_date) from writers') -%}
            {%- set row = found.rows[0] -%}
            {%- if row[0] > 0 and row[0] == row[1] -%}
                {%- set earliest = row[2] -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if earliest is none -%}
        cast('0001-01-01' as date)
    {%- else -%}
        {{ period_start(period, "cast('" ~ earliest ~ "' as date)") }}
    {%- endif -%}
{%- endmacro %}
