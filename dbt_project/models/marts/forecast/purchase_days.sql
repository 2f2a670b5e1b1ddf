{#- Every account's purchase days with their value: the net revenue (invoices minus credit notes, in the
    reporting currency, as booked by the as-of date) of the orders placed that day
    (int_purchase_days_valued, incremental by account). The purchase forecasts are fitted on these rows in
    Python (pipelines/forecast/): purchase_model_parameters, account_forecasts and forecast_backtest. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

valued as (
    select * from {{ ref('int_purchase_days_valued') }}
),

final as (
    select
        valued.account_id,
        valued.purchase_date,
        valued.orders,
        valued.revenue,
        as_of.as_of_date
    from valued
    cross join as_of
)

select * from final
