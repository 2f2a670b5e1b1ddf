{#- The weekly follow-up list: buying accounts flagged at risk (accounts.at_risk), ordered by the revenue at
    risk the purchase forecasts give (then by revenue at stake: trailing-12-month revenue, then lifetime
    revenue, the order revenue_at_stake_rank keeps), each with the signals that explain it and a
    sentence saying why. A reason never rests on a driver the data cannot measure: accounts leaves its
    signals null (data_coverage says why). -#}
with

accounts as (
    select * from {{ ref('accounts') }}
),

key_accounts as (
    select * from {{ ref('key_accounts') }}
),

forecasts as (
    select * from {{ ref('stg_forecasts__account_forecasts') }}
),

flagged as (
    select
        accounts.*,
        coalesce(key_accounts.ttm_revenue, 0) as ttm_revenue,
        coalesce(key_accounts.is_key_account, false) as is_key_account,
        forecasts.revenue_at_risk
    from accounts
    left join key_accounts on accounts.account_id = key_accounts.account_id
    left join forecasts on accounts.account_id = forecasts.account_id
    where accounts.at_risk
),

final as (
    select
        cast(
            row_number() over (
                order by
                    coalesce(revenue_at_risk, -1) desc,
                    ttm_revenue desc,
                    lifetime_revenue desc,
                    account_id asc
            ) as bigint
        ) as follow_up_rank,
        cast(
            row_number() over (order by ttm_revenue desc, lifetime_revenue desc, account_id asc) as bigint
        ) as revenue_at_stake_rank,
        account_id,
        account_name,
        segment,
        owner_rep_id,
        ttm_revenue as revenue_at_stake,
        revenue_at_risk,
        p_alive,
        reporting_currency,
        is_key_account,
        current_stage,
        days_since_last_purchase,
        expected_gap_days,
        cast(days_since_last_purchase - overdue_after_days as integer) as overdue_days,
        single_contact_person,
        days_since_last_contact,
        post_sale_contact,
        open_complaints,
        complaint_handling,
        last_csat,
        payment_band,
        {{ dbt.concat([
            "'no purchase for ' || cast(days_since_last_purchase as " ~ dbt.type_string() ~ ") || ' days (usually every '"
            ~ " || cast(cast(round(expected_gap_days) as integer) as " ~ dbt.type_string() ~ ") || ' days)'",
            "case when single_contact_person then '; one contact person' else '' end",
            "case when post_sale_contact = 'no' then '; no contact after purchases'"
            ~ " else '' end",
            "case when open_complaints > 0 then '; ' || cast(open_complaints as "
            ~ dbt.type_string() ~ ") || ' open complaint(s)' else '' end",
            "case when complaint_handling in ('slow', 'unresolved') then"
            ~ " '; complaints handled ' || complaint_handling else '' end",
            "case when last_csat <= 2 then '; last rating ' || cast(last_csat as "
            ~ dbt.type_string() ~ ") else '' end",
        ]) }} as reasons
    from flagged
)

select * from final
