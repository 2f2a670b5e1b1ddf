"""Loading landing files into DuckDB (spec section 4): read, validate, deduplicate, audit, atomically."""
