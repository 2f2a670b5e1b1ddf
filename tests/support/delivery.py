"""Re-delivering simulated landing folders as a few large exports, so a run covers few arrival days."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pipelines.cli import main
from pipelines.config.paths import WAREHOUSE_ENV, WarehousePaths, warehouse_paths
from pipelines.contract import STREAMS
from pipelines.simulator import simulate


def deliver_as_exports(landing: Path, export_day_of_year: dict[int, str]) -> None:
    """Move every day's files into one arrival day per event year (`{year: 'YYYY-MM-DD'}`): the same events
    in a handful of Dagster partitions instead of one per day. Arrival only gets later, so nothing becomes
    a future event; file names keep their original day."""
    for stream in STREAMS:
        for day_folder in sorted((landing / stream).iterdir()):
            target = landing / stream / export_day_of_year[int(day_folder.name[:4])]
            target.mkdir(exist_ok=True)
            for file in day_folder.iterdir():
                file.rename(target / f"{day_folder.name}-{file.name}")
            if not any(day_folder.iterdir()):
                day_folder.rmdir()


@contextmanager
def simulated_warehouse(
    root: Path,
    export_day_of_year: dict[int, str],
    run_args: list[str],
    **simulation: Any,
) -> Iterator[WarehousePaths]:
    """A warehouse under `root` (named by $LIFECYCLE_WAREHOUSE while in use) holding a simulated business
    (`simulation`: the simulator's arguments), delivered as exports and loaded by
    `lifecycle run --quiet --no-record` (no run history: the tests that read it make their own)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(WAREHOUSE_ENV, str(root / "warehouse"))
        mp.delenv("DAGSTER_HOME", raising=False)
        paths = warehouse_paths().ensure()
        simulate(paths.landing, **simulation)
        deliver_as_exports(paths.landing, export_day_of_year)
        assert main(["run", "--quiet", "--no-record", *run_args]) == 0
        yield paths
