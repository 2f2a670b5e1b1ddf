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

{#- The filter of an incremental model's input: the touched accounts only (all of them on a first build).
    With `restaged`, also the accounts whose stage changes between the as-of dates the tables may hold
    and this build's (int_accounts_restaged): for the models cut at the as-of date, and the models by
    month or quarter whose open month moves (below). -#}
{% macro touched_accounts_only(account_column, restaged=false) -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('touched_accounts_filter', 'lifecycle')(account_column, restaged)) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The accounts the filter keeps, as a query. -#}
{% macro recomputed_accounts(restaged=false) -%}
    select account_id from {{ ref('int_accounts_touched') }}
    {%- if restaged %}
    union
    select account_id from {{ ref('int_accounts_restaged') }}
    {%- endif -%}
{%- endmacro %}

{% macro default__touched_accounts_filter(account_column, restaged=false) -%}
    {{ account_column }} in ({{ recomputed_accounts(restaged) }})
{%- endmacro %}

{#- DuckDB does not push a semi-join below a view's projection: the staging views convert every event's
    time zone before the touched accounts are picked, several times slower. A day's few
    touched accounts are therefore written into the filter as literals, which reach the table scan; a
    larger set (a rebuild) keeps the semi-join. -#}
{% macro duckdb__touched_accounts_filter(account_column, restaged=false) -%}
    {%- set most = 1000 -%}
    {%- set found = run_query(
        'select account_id from (' ~ recomputed_accounts(restaged)
        ~ ') as recomputed order by account_id limit ' ~ (most + 1)) if execute else none -%}
    {%- if found is none or found.rows | length > most -%}
        {{ default__touched_accounts_filter(account_column, restaged) }}
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

{#- The pre-hook of an incremental model: forget the touched accounts' rows (all rows on a rebuild), with
    `restaged` the restaged accounts' too, and the rows that meet `also`, a further SQL condition when
    given. -#}
{% macro delete_touched_accounts(also=none, restaged=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            (select rebuild_all from {{ ref('int_builds_planned') }})
            or account_id in ({{ recomputed_accounts(restaged) }})
            {%- if also %}
            or {{ also }}
            {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- The models by month or quarter (stage_snapshot_monthly, account_months, the segments models) are
    incremental too. A month's row of an untouched account changes only while the month is not complete,
    and then in two ways: its snapshot_date (and is_complete) follow the as-of date, and its stage (with
    what is derived from it) changes on a day the stage timeline says it does.

    When the as-of date stays within the month the table was last built in (open_month_move()), a build
    recomputes every period of the touched accounts and of the accounts whose stage changed between the
    two as-of dates (int_accounts_restaged), and moves the snapshot date of every other account's open
    periods (the rows whose snapshot_date is the old as-of date: a closed period's is its end, earlier);
    a day's cost then follows the day, not the number of accounts.
    Otherwise (a new month, a first build of the table, a table a stopped build left behind) it
    recomputes the touched accounts' periods and every account's periods from the month of the earlier
    of two as-of dates: the one the table was last built with (its latest snapshot_date, read before the
    pre-hook changes anything) and this build's (the as-of date can go back). The table itself says what
    it holds, so a build that failed part way is caught up by the next one. -#}

{#- The table's last as-of date and this build's, as ISO strings, when the build only moves the open
    month (above); none otherwise. The table's last as-of date must be that of the last completed build,
    from which int_accounts_restaged counts the stage changes. -#}
{% macro open_month_move() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = column_names(this) -%}
    {%- if 'snapshot_date' not in columns -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = dbt.type_string() -%}
    {%- set found = run_query(
        'select cast(stored.last_as_of as ' ~ text ~ '), cast(as_of.as_of_date as ' ~ text ~ ') from '
        ~ '(select max(snapshot_date) as last_as_of from ' ~ this ~ ') as stored'
        ~ ' cross join ' ~ ref('int_builds_planned') ~ ' as plan'
        ~ ' cross join ' ~ ref('int_as_of_date_resolved') ~ ' as as_of'
        ~ ' where not plan.rebuild_all and stored.last_as_of = plan.after_as_of_date and '
        ~ period_start('month', 'stored.last_as_of') ~ ' = ' ~ period_start('month', 'as_of.as_of_date')) -%}
    {%- if found.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'last': found.rows[0][0], 'as_of': found.rows[0][1]}) }}
{%- endmacro %}

{#- The first month every account's rows are recomputed from, when the open month does not merely move. -#}
{% macro changed_months_start() -%}
    {%- set as_of = '(select as_of_date from ' ~ ref('int_as_of_date_resolved') ~ ')' -%}
    {%- set built = none -%}
    {%- if execute -%}
        {#- a table of an earlier version may lack the column: its build rebuilds every account anyway -#}
        {%- set columns = column_names(this) -%}
        {%- if 'snapshot_date' in columns -%}
            {%- set built = run_query('select max(snapshot_date) from ' ~ this) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set last = built.rows[0][0] if built is not none else none -%}
    {{ period_start('month', "least(cast('" ~ last ~ "' as date), " ~ as_of ~ ")" if last is not none
        else as_of) }}
{%- endmacro %}

{#- The filter of an input of a model by period: every row on a first build or a rebuild; the touched and
    restaged accounts when the open month moves (`open_month`: open_month_move()'s result, read once per
    model); else the touched accounts and `changed_periods`, a SQL condition on the input's period. -#}
{% macro touched_accounts_or_changed_periods(account_column, changed_periods, open_month) -%}
    {%- if not is_incremental() -%}
        true
    {%- elif open_month -%}
        {{ touched_accounts_only(account_column, restaged=true) }}
    {%- else -%}
        ({{ touched_accounts_only(account_column) }} or {{ changed_periods }})
    {%- endif -%}
{%- endmacro %}

{% macro touched_accounts_or_changed_months(account_column, month_column) -%}
    {%- if is_incremental() -%}
        {%- set open_month = open_month_move() -%}
        {{ touched_accounts_or_changed_periods(
            account_column,
            month_column ~ ' >= ' ~ changed_months_start() if not open_month else none,
            open_month,
        ) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The pre-hook of a model by period: when the open month moves, forget the touched and restaged
    accounts' rows and move the other accounts' open periods to this build's as-of date; else forget the
    touched accounts' rows and every row whose `column` lies from the first changed month's `period` on. -#}
{% macro delete_touched_accounts_and_changed_periods(column, period) -%}
    {%- if is_incremental() -%}
        {%- set open_month = open_month_move() -%}
        {%- if open_month -%}
            delete from {{ this }}
            where account_id in ({{ recomputed_accounts(restaged=true) }})
            {%- if open_month.last != open_month.as_of %};
                {{ move_open_periods(open_month) }}
            {%- endif -%}
        {%- else -%}
            {{ delete_touched_accounts(
                also=column ~ ' >= ' ~ period_start(period, changed_months_start())) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The open periods of the accounts a build does not recompute, moved from the last as-of date to this
    build's: their snapshot_date, and is_complete where the table has it. -#}
{% macro move_open_periods(open_month) -%}
    {%- set columns = column_names(this) -%}
    {%- set as_of = "cast('" ~ open_month.as_of ~ "' as date)" -%}
    update {{ this }}
    set
        snapshot_date = {{ as_of }}
        {%- if 'is_complete' in columns %},
        is_complete = {{ dbt.last_day('month', 'month') }} <= {{ as_of }}
        {%- endif %}
    where snapshot_date = cast('{{ open_month.last }}' as date)
{%- endmacro %}

{% macro delete_touched_accounts_and_changed_months() -%}
    {{ delete_touched_accounts_and_changed_periods('month', 'month') }}
{%- endmacro %}

{#- The same by quarter (int_account_quarters_owned, int_account_periods_summarized): the rows whose
    `column` lies from the first changed month's quarter on. -#}
{% macro delete_touched_accounts_and_changed_quarters(column='quarter_start') -%}
    {{ delete_touched_accounts_and_changed_periods(column, 'quarter') }}
{%- endmacro %}
