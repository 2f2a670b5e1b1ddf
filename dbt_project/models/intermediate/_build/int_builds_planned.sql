{#- What this build recomputes (macros/incremental/touched_accounts.sql): the loads after the last
    completed build, or every account when there is no completed build, a full refresh was asked for, the
    vars, the model SQL or the project's macros changed since, or a build that started after it and never
    completed had other ones (its tables may hold rows written under them). -#}
{%- set previous = last_completed_build() -%}
{%- set after_as_of = "'" ~ previous[2] ~ "'" if previous and previous[2] else 'null' -%}
{#- the completion time as stored (a string would lose its time zone), for int_accounts_restaged -#}
{%- set completed = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='int_builds_completed') if execute else none -%}
{%- set after_completed = '(select max(completed_at) from ' ~ completed ~ ')' if completed is not none
    else 'cast(null as ' ~ dbt.type_timestamp() ~ ')' -%}
{%- set fingerprint = incremental_fingerprint() if execute else '' -%}
{%- set interrupted = interrupted_build_fingerprints() | reject('equalto', fingerprint) | list -%}
{%- if flags.FULL_REFRESH -%}
    {%- set reason = 'full refresh requested' -%}
{%- elif previous is none -%}
    {%- set reason = 'first build' -%}
{%- elif previous[1] != fingerprint -%}
    {%- set reason = 'settings, model SQL or macros changed' -%}
{%- elif interrupted -%}
    {%- set reason = 'a build that stopped part way wrote with other settings, model SQL or macros' -%}
{%- else -%}
    {%- set reason = 'incremental' -%}
{%- endif %}

with

changes as (
    select * from {{ ref('stg_ingest__account_changes') }}
),

final as (
    select
        cast(coalesce(max(load_id), 0) as bigint) as through_load_id,
        cast({{ previous[0] if previous is not none else 'null' }} as bigint) as after_load_id,
        cast({{ after_as_of }} as date) as after_as_of_date,
        {{ after_completed }} as after_completed_at,
        '{{ fingerprint }}' as fingerprint,
        '{{ dbt.escape_single_quotes(lifecycle_settings_json()) }}' as settings,
        '{{ reason }}' as reason,
        {{ 'false' if reason == 'incremental' else 'true' }} as rebuild_all
    from changes
)

select * from final
