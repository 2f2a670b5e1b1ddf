"""Re-delivering simulated landing folders as a few large exports, so a run covers few arrival days."""

from __future__ import annotations

from pathlib import Path

from pipelines.contract import STREAMS


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
