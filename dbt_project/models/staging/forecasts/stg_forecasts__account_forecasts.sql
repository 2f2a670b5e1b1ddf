{#- The forecast of each account that the lifecycle marts carry: P(alive) and the revenue at risk over the
    forecast horizon. Types spelled `double` (valid on every engine): dbt's type_float is 4 bytes on DuckDB.
    -#}
with

source as (
    {{ python_mart_or_empty(source('forecasts', 'account_forecasts'), [
        ('account_id', dbt.type_string()),
        ('p_alive', 'double'),
        ('expected_revenue', 'double'),
        ('revenue_at_risk', 'double'),
    ]) }}
),

renamed as (
    select
        account_id,
        p_alive,
        expected_revenue,
        revenue_at_risk
    from source
)

select * from renamed
