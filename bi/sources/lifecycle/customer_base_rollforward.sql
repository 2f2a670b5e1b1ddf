select * from marts.customer_base_rollforward
