"""Data quality: checks on every ingest batch (audit identity, quarantine rate, unreadable files, GX)."""
