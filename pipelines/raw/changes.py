"""Which arrival days changed since their last load: what a run over "every landed day" has to load.

Every file a load reads is audited with its stat (size, modification and change time in nanoseconds) as
listed before reading. A day is unchanged while its landing folder holds exactly the files its last load
read, each with the same stat: a file added, removed, rewritten, moved in or touched changes the day (the
change time moves with any write or rename, whatever a copy does to the modification time). A day whose
folder has gone since its load is changed too (loading it empties it). Comparing for equality, never
ordering times, keeps this right when clocks disagree. Days whose audit predates the stat count as
changed once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

DayFiles = dict[str, str | None]  # source file (relative to the landing folder) -> its stat


def file_stat(path: Path) -> str | None:
    """`size:mtime_ns:ctime_ns` of `path` itself (a link is not followed); None when it cannot be listed."""
    try:
        st = path.lstat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def loaded_files(con: duckdb.DuckDBPyConnection, stream: str) -> dict[date, DayFiles]:
    """Every loaded day of `stream` with the files its last load read and their stats then, read as the
    audit is (no DDL: a read-only connection will do): no audit, no loaded day; an audit from before the
    stats, every day changed."""
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() "
            "where schema_name = 'raw' and table_name = 'ingest_batches'"
        ).fetchall()
    }
    if not columns:
        return {}
    stat = "file_stat" if "file_stat" in columns else "null"
    rows = con.execute(
        f"select arrival_date, source_file, {stat} from raw.ingest_batches where stream = $s", {"s": stream}
    ).fetchall()
    loaded: dict[date, DayFiles] = {}
    for day, source_file, file_stat_then in rows:
        loaded.setdefault(day, {})[source_file] = file_stat_then
    return loaded


def changed_days(landed: dict[date, DayFiles], loaded: dict[date, DayFiles]) -> list[date]:
    """The days whose files differ from what their last load read (see the module's docstring)."""
    return sorted(
        day
        for day in landed.keys() | loaded.keys()
        if landed.get(day, {}) != loaded.get(day, {}) or None in loaded.get(day, {}).values()
    )
