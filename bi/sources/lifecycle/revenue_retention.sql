select * from marts.revenue_retention
