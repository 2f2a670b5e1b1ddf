"""dbt: the lifecycle models as Dagster assets, downstream of the ingest assets."""
