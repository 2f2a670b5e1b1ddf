"""The dbt project on Apache Spark: the same models and marts, built by a Spark session instead of DuckDB.

Ingest stays on DuckDB. Its tables (the dbt sources) are exported to Parquet (`inputs`), a local Spark
session with Apache Iceberg tables builds every model (`session`, dbt's `spark` target), and the marts are
exported back to Parquet for readers (`marts`). docs/spark.md says how to point it at a real cluster.
"""
