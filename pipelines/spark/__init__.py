"""The dbt project on Apache Spark: the same models and marts, built by a Spark session instead of DuckDB.

Ingest stays on DuckDB. Its tables (the dbt sources) are exported to Parquet (`inputs`), a local Spark
session with Apache Iceberg tables builds every model (dbt's `spark` target; `session` names its jars),
and the build's on-run-end hook exports the marts back to Parquet (macros/spark/inputs.sql).
docs/spark.md says how to point it at a real cluster.
"""
