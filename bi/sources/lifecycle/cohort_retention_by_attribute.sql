select * from marts.cohort_retention_by_attribute
