{#- Every purchase day with the days since the account's previous one (null for its first) and its rank:
    the gaps the at-risk rule compares with (accounts, churn_observations). Incremental by account
    (macros/incremental/touched_accounts.sql): windows over the account's own purchase days. -#}
{{ incremental_by_account() }}
with

purchase_days as (
    select * from {{ ref('int_purchase_days_aggregated') }}
    where {{ touched_accounts_only('account_id') }}
),

final as (
    select
        account_id,
        purchase_date,
        n_orders,
        {{ day_number('purchase_date') }}
        - lag({{ day_number('purchase_date') }})
            over (partition by account_id order by purchase_date)
            as gap_days,
        row_number() over (partition by account_id order by purchase_date) as purchase_day_rank
    from purchase_days
)

select * from final
