{#- Hunters and farmers: per sales rep and quarter, the book the rep held at the quarter start and what
    became of it, beside the new accounts the rep won. Owner: int_account_quarters_owned (the CRM's
    owner_rep_id, else the rep on most of the account's purchases in the look-back window).
      accounts_owned_at_start  accounts active at the quarter start that the rep owned then;
      accounts_lost            of those, the ones not active at the quarter end (the as-of date when running);
      owned_retention_rate     (owned - lost) / owned;
      post_sale_contact_rate   accounts the rep owned at the start with a purchase day in the quarter that
                               got a contact within post_sale_contact_days after one, over those accounts;
      new_accounts_won         accounts whose first purchase day is in the quarter, on an order the rep placed;
      new_revenue              those accounts' revenue in the quarter;
      retained_revenue         the revenue in the quarter of the accounts owned at the start;
      hunter_share             new_revenue / (new_revenue + retained_revenue). -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

account_quarters as (
    select * from {{ ref('int_account_quarters_owned') }}
),

books as (
    select
        owner_rep_id as rep_id,
        quarter_start,
        count(case when is_active_at_start then 1 end) as accounts_owned_at_start,
        count(case when is_active_at_start and not is_active_at_end then 1 end) as accounts_lost,
        count(case when has_purchase then 1 end) as owned_accounts_purchasing,
        count(case when has_purchase and had_post_sale_contact then 1 end) as owned_accounts_contacted,
        0 as new_accounts_won,
        cast(0 as decimal(38, 4)) as new_revenue,
        {{ sum_money('case when is_active_at_start then revenue else 0 end') }} as retained_revenue
    from account_quarters
    where owner_rep_id is not null
    group by owner_rep_id, quarter_start
),

wins as (
    select
        won_by_rep_id as rep_id,
        quarter_start,
        0 as accounts_owned_at_start,
        0 as accounts_lost,
        0 as owned_accounts_purchasing,
        0 as owned_accounts_contacted,
        count(*) as new_accounts_won,
        {{ sum_money('revenue') }} as new_revenue,
        cast(0 as decimal(38, 4)) as retained_revenue
    from account_quarters
    where is_new and won_by_rep_id is not null
    group by won_by_rep_id, quarter_start
),

both_sides as (
    select * from books
    union all
    select * from wins
),

reps as (
    select
        rep_id,
        quarter_start,
        cast(sum(accounts_owned_at_start) as bigint) as accounts_owned_at_start,
        cast(sum(accounts_lost) as bigint) as accounts_lost,
        cast(sum(owned_accounts_purchasing) as bigint) as owned_accounts_purchasing,
        cast(sum(owned_accounts_contacted) as bigint) as owned_accounts_contacted,
        cast(sum(new_accounts_won) as bigint) as new_accounts_won,
        {{ sum_money('new_revenue') }} as new_revenue,
        {{ sum_money('retained_revenue') }} as retained_revenue
    from both_sides
    group by rep_id, quarter_start
),

final as (
    select
        reps.rep_id,
        reps.quarter_start as quarter,
        reps.accounts_owned_at_start,
        reps.new_accounts_won,
        reps.accounts_lost,
        case
            when reps.accounts_owned_at_start > 0
                then
                    cast(reps.accounts_owned_at_start - reps.accounts_lost as double)
                    / reps.accounts_owned_at_start
        end as owned_retention_rate,
        reps.owned_accounts_purchasing,
        case
            when reps.owned_accounts_purchasing > 0
                then cast(reps.owned_accounts_contacted as double) / reps.owned_accounts_purchasing
        end as post_sale_contact_rate,
        reps.new_revenue,
        reps.retained_revenue,
        case
            when reps.new_revenue + reps.retained_revenue <> 0
                then cast(reps.new_revenue as double) / (reps.new_revenue + reps.retained_revenue)
        end as hunter_share,
        '{{ reporting_currency() }}' as reporting_currency,
        {{ dbt.last_day('reps.quarter_start', 'quarter') }} <= as_of.as_of_date as is_complete
    from reps
    cross join as_of
)

select * from final
