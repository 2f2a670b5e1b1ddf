"""The dbt project seen from Python: where it is, its manifest, every argument list given to dbt, and
the two ways of invoking it (a subprocess, or in this process). Not Dagster code: `defs/dbt` wraps it."""
