select * from marts.churn_drivers
