select * from marts.build_info
