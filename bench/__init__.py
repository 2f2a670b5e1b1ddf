"""`make bench`: simulator, ingest and dbt build at 10 million events, with the DuckDB scan floor."""
