-- One rate per day and currency: the conversion joins on exactly that.
select
    rate_date,
    currency,
    count(*) as n_rates
from {{ ref('stg_fx__rates') }}
group by rate_date, currency
having count(*) > 1
