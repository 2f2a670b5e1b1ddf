{#- churn_drivers for each quarter start on its own (each account once per quarter), to see whether a driver
    holds over time. Same definitions and interval method as churn_drivers. -#}
with

observations as (
    select * from {{ ref('int_account_quarters_observed') }}
),

banded as (
    select * from {{ ref('int_churn_observations_banded') }}
),

{{ relative_risk_ctes('observations', 'banded', by=['quarter_start']) }},

final as (
    select
        quarter_start,
        driver,
        band,
        observations,
        lost,
        loss_rate,
        baseline_loss_rate,
        relative_risk,
        {{ rr_interval('relative_risk', 'log_rr_variance') }},
        accounts
    from risks
)

select * from final
