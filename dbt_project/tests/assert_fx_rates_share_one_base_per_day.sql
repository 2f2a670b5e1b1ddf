-- Rates of one day are quoted against one base currency, or a line would be joined to each base.
select
    rate_date,
    count(distinct base_currency) as n_base_currencies
from {{ ref('stg_fx__rates') }}
group by rate_date
having count(distinct base_currency) > 1
