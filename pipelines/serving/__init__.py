"""Publishing the marts for BI tools: Parquet exports and a read-only serving database."""
