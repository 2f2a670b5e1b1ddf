{#- The forecast of each account that the lifecycle marts carry: P(alive) and the revenue at risk over the
    forecast horizon. -#}
with

source as (
    {{ python_mart_or_empty(source('forecasts', 'account_forecasts'), [
        ('account_id', dbt.type_string()),
        ('p_alive', dbt.type_float()),
        ('expected_revenue', dbt.type_float()),
        ('revenue_at_risk', dbt.type_float()),
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
