{{ config(store_failures=true) }}
-- Every revenue line outside the reporting currency needs that day's rate for its currency and for the
-- reporting currency: a missing rate stops the build (the marts depend on this model), never a silent zero.
with

lines as (
    select * from {{ ref('int_revenue_lines_converted') }}
)

select
    'Missing FX rate for '
    || case when source_rate is null then currency else reporting_currency end
    || ' on ' || cast(booked_on as {{ dbt.type_string() }})
    || ' (reporting currency ' || reporting_currency || '): add it to landing/fx_rates/ and run again'
        as problem,
    count(*) as revenue_lines
from lines
where amount_reporting is null
group by currency, reporting_currency, booked_on, source_rate is null
order by booked_on, problem
