"""Ingest: one partitioned asset per event stream, the FX rates input, and what triggers them."""
