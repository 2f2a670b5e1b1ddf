-- Each interval must end exactly where the account's next one starts, and only the last may be open.
with

ordered as (
    select
        account_id,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by account_id order by valid_from) as next_valid_from
    from {{ ref('lifecycle_history') }}
)

select *
from ordered
where
    (next_valid_from is null and valid_to is not null)
    or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))
    or valid_to <= valid_from
