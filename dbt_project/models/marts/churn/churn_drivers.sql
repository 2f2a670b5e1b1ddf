{#- Why customers leave, pooled over every quarter start whose outcome window has elapsed: per driver band,
    the account-quarters observed, how many became lost within churn_outcome_months, the loss rate, the
    baseline (all observations), the relative risk and its 95% interval (macro relative_risk_ctes: delta
    method on log RR, variance clustered by account). Signals and bands: int_driver_signals_measured. -#}
with

observations as (
    select * from {{ ref('int_account_quarters_observed') }}
),

banded as (
    select * from {{ ref('int_churn_observations_banded') }}
),

quarters as (
    select
        min(quarter_start) as first_quarter,
        max(quarter_start) as last_quarter,
        count(distinct quarter_start) as quarters
    from observations
),

{{ relative_risk_ctes('observations', 'banded') }},

final as (
    select
        risks.driver,
        risks.band,
        risks.observations,
        risks.lost,
        risks.loss_rate,
        risks.baseline_loss_rate,
        risks.relative_risk,
        {{ rr_interval('risks.relative_risk', 'risks.log_rr_variance') }},
        risks.accounts,
        quarters.quarters,
        quarters.first_quarter,
        quarters.last_quarter
    from risks
    cross join quarters
)

select * from final
