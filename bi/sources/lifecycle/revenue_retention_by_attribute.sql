select * from marts.revenue_retention_by_attribute
