{#- Cohort retention, long format: one row per cohort x period, for monthly and quarterly cohorts. A cohort
    is the accounts whose first purchase day falls in a period; period_number 0 is that period. Cells run
    to the as-of period and no further (a future cell is absent, never zero). Built on account_months, so
    "active" and "retained" use the lifecycle engine's purchase days and stages. Revenue an account booked
    before its cohort period (an invoice ahead of the first order) is in no cell: revenue_by_lifecycle has
    it as class before_first_purchase. The account periods: int_account_periods_summarized; the cells:
    macros/retention/cohort_retention.sql. -#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

account_periods as (
    select * from {{ ref('int_account_periods_summarized') }}
),

{{ cohort_cells_ctes('account_periods', 'as_of') }}

select * from final
