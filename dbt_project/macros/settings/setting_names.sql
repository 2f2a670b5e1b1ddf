{#- Every lifecycle var. Generated from LifecycleSettings: python -m pipelines.dbt.settings_files -#}
{% macro lifecycle_var_names() -%}
    {{ return([
        'lost_after_days',
        'loyal_window_days',
        'loyal_min_purchase_days',
        'at_risk_factor',
        'driver_lookback_months',
        'churn_outcome_months',
        'complaint_sla_days',
        'post_sale_contact_days',
        'discount_high_rate',
        'payment_late_days',
        'key_account_share',
        'reporting_timezone',
        'reporting_currency',
        'forecast_horizon_days',
        'forecast_holdout_days',
        'as_of_date',
    ]) }}
{%- endmacro %}
