"""Failures a user can act on: the message says what happened and what to do, without a stack trace."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

# How the storage engines word a write that found no room: SQLite (the Dagster instance), DuckDB, the OS.
_NO_SPACE_TEXTS = ("database or disk is full", "no space left on device", "disk i/o error", "disk full")


class LifecycleError(Exception):
    """An expected failure: `lifecycle` prints its message and exits non-zero, without a stack trace.

    The kinds below also derive from the built-in type that callers caught before there was one base."""


class ConfigError(LifecycleError, ValueError):
    """A setting, environment variable or argument holds a value the pipeline does not accept."""


class InputRejected(LifecycleError, ValueError):
    """A file handed to the pipeline is refused as a whole; the message names the file, row and field."""


class InputMissing(LifecycleError, FileNotFoundError):
    """A file named on the command line does not exist."""


class NotBuiltYet(LifecycleError, FileNotFoundError):
    """The warehouse lacks what the command reads (its database, a build, a publication)."""


class Refused(LifecycleError, RuntimeError):
    """An operation would lose or hide data, or another process holds what it needs."""


class NoSpaceLeft(LifecycleError):
    """A write found its device full."""


def _subclasses(kind: type) -> Iterator[type]:
    for sub in kind.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def is_lifecycle_error(class_name: str) -> bool:
    """Whether `class_name` (as a run's serialized error gives it) names an expected failure."""
    return class_name in {k.__name__ for k in (LifecycleError, *_subclasses(LifecycleError))}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_no_space(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is a write that found its device full."""
    for item in _chain(exc):
        if isinstance(item, OSError) and item.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(text in str(item).lower() for text in _NO_SPACE_TEXTS):
            return True
    return False


def fullest_device(paths: Iterable[Path]) -> tuple[Path, int]:
    """Of `paths` (their nearest existing folder), the one on the device with the least free space."""
    measured = []
    for path in paths:
        existing = next((p for p in (path, *path.parents) if p.exists()), None)
        if existing is not None:
            measured.append((shutil.disk_usage(existing).free, path))
    free, path = min(measured)
    return path, free


def no_space(exc: BaseException, paths: Iterable[Path]) -> NoSpaceLeft:
    path, free = fullest_device(paths)
    return NoSpaceLeft(
        f"no space left on the device holding {path} ({free / 2**20:.1f} MiB free): free space there and "
        f"run again. Nothing already stored is lost: each load and build step commits whole or not at all "
        f"({str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__})"
    )
