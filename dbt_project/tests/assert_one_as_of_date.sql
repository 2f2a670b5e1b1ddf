-- The evaluation date is a single row: every model joins to it.
select count(*) as n_rows
from {{ ref('int_as_of_date_resolved') }}
having count(*) <> 1
