"""How much of the machine DuckDB may use: memory limit, threads and where it spills.

One place for the three, read from the environment at call time and validated before they reach SQL, and
applied to every DuckDB writer: Python's connections (pipelines/warehouse/connections.py), and dbt
through profiles.yml (the dbt step passes the resolved values as vars; dbt run by hand reads the same
variables).
A run bigger than the memory limit spills to the temporary directory instead of failing.

    LIFECYCLE_MEMORY_LIMIT  e.g. 4GB, 12GiB or 60% (default 80%, DuckDB's own default)
    LIFECYCLE_THREADS       worker threads (default: the machine's cores)
    LIFECYCLE_TEMP_DIR      spill directory (default <warehouse>/tmp)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from pipelines.errors import ConfigError

MEMORY_ENV = "LIFECYCLE_MEMORY_LIMIT"
THREADS_ENV = "LIFECYCLE_THREADS"
TEMP_DIR_ENV = "LIFECYCLE_TEMP_DIR"
DEFAULT_MEMORY_LIMIT = "80%"
TEMP_DIR = "tmp"
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)$", re.IGNORECASE)
_UNIT_BYTES = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNIT_BYTES |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
# Below this DuckDB cannot hold a join's hash table or a sort run, and a build ends in an out-of-memory
# error that names DuckDB's setting, not the variable.
MIN_MEMORY_BYTES = 32 * 2**20
MIN_MEMORY_SHARE = 1.0


class EngineSettings(BaseModel):
    """Validated by `engine_settings()`, the one way they are resolved."""

    model_config = ConfigDict(frozen=True)

    memory_limit: str
    threads: int
    temp_directory: Path

    def dbt_vars(self) -> dict[str, str]:
        """The same settings as the dbt vars profiles.yml reads before the environment."""
        return {
            "engine_memory_limit": self.memory_limit,
            "engine_threads": str(self.threads),
            "engine_temp_directory": str(self.temp_directory),
        }


def engine_settings(warehouse: Path, environ: Mapping[str, str] | None = None) -> EngineSettings:
    """The settings named by the environment (else the defaults); a bad value raises ValueError naming
    the variable and what it accepts."""
    env = os.environ if environ is None else environ
    memory = env.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
    _check_memory(memory)
    threads = _threads(env.get(THREADS_ENV, "").strip())
    temp = Path(env.get(TEMP_DIR_ENV, "").strip() or warehouse / TEMP_DIR).expanduser().resolve()
    return EngineSettings(memory_limit=memory.replace(" ", ""), threads=threads, temp_directory=temp)


def size_bytes(size: str) -> float | None:
    """The bytes of a size such as 4GB, 12GiB or DuckDB's own report of its memory limit ('14.9 GiB');
    None for a share (60%) or anything else."""
    sized = _SIZE.match(size.strip())
    if not sized or sized.group(2) == "%":
        return None
    return float(sized.group(1)) * _UNIT_BYTES[sized.group(2).lower()]


def _check_memory(memory: str) -> None:
    sized = _SIZE.match(memory)
    if not sized:
        raise ConfigError(f"{MEMORY_ENV}={memory!r}: give a size such as 4GB, 12GiB or a share such as 60%")
    if sized.group(2) == "%":
        if not MIN_MEMORY_SHARE <= float(sized.group(1)) <= 100:
            raise ConfigError(f"{MEMORY_ENV}={memory!r}: a share must lie between 1% and 100%")
    elif (size_bytes(memory) or 0) < MIN_MEMORY_BYTES:
        raise ConfigError(f"{MEMORY_ENV}={memory!r}: at least 32MiB, or a share such as 60%")


def max_threads() -> int:
    """More threads than this only cost: each is a thread DuckDB creates and schedules on few cores."""
    return max(8, 4 * (os.cpu_count() or 1))


def _threads(text: str) -> int:
    if not text:
        return os.cpu_count() or 1
    # isdigit() accepts superscripts and other scripts' digits, which int() refuses
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= max_threads()):
        raise ConfigError(f"{THREADS_ENV}={text!r}: give a whole number of threads from 1 to {max_threads()}")
    return int(text)
