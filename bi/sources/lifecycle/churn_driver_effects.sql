select * from marts.churn_driver_effects
