"""Dagster definitions of the serving layer."""
