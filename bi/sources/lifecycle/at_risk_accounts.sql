select * from marts.at_risk_accounts
