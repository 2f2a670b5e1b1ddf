"""Loading landing files into DuckDB: read, validate, deduplicate, audit, atomically."""
