"""Quoting for the few SQL texts built from names: identifiers and literals from code or file headers,
never values from rows (those are always bound parameters or compared inside SQL)."""

from __future__ import annotations

from collections.abc import Iterable


def ident(name: str) -> str:
    """A quoted SQL identifier (a column name read from a file header may hold any character)."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"
