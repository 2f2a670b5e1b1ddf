"""Dagster definitions grouped by what they do: ingest, dbt, quality; resources in resources.py."""
