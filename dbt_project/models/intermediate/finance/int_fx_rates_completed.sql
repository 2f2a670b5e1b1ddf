{#- Daily FX rates with each day's base currency added at rate 1, so any currency of the day converts
    through the base: amount / rate(currency) x rate(reporting currency). One base per day is tested
    (assert_fx_rates_share_one_base_per_day). -#}
with

fx_rates as (
    select * from {{ ref('stg_fx__rates') }}
),

completed as (
    select
        rate_date,
        base_currency,
        currency,
        rate
    from fx_rates
    union
    select distinct
        rate_date,
        base_currency,
        base_currency as currency,
        cast(1 as decimal(20, 8)) as rate
    from fx_rates
)

select * from completed
