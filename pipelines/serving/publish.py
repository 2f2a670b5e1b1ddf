"""Publish every mart after a successful build, so BI tools never open the working database.

A publication is one folder, `<warehouse>/published/<id>/`, holding `exports/<mart>.parquet` and
`serving.duckdb`, all read-only files. It is written under `<id>.partial` and renamed when complete; then
one pointer, the symbolic link `<warehouse>/current`, is switched to it in a single rename. The fixed
paths readers use, `<warehouse>/serving.duckdb` and `<warehouse>/exports`, are links through `current`,
so every reader sees the old publication or the new one, never a mix, even when a run is killed between
two files. A reader holding a file open keeps reading it (the previous publication is kept, older ones
are removed; an open file outlives its removal). Both formats carry a stamp of the build: the run that
built it, its settings, its as-of date and when it was published.

The serving file is written in DuckDB's storage version 1.1 (SERVING_STORAGE_VERSION): the DuckDB that
BI tools bundle (drivers of DBeaver, Metabase, Superset; Evidence) lags the one we write with, and a file
in a newer storage version is refused by every older reader. 1.1 and all later versions read it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.config.paths import SERVING_FILE, WarehousePaths
from pipelines.errors import Refused
from pipelines.warehouse.sql import ident, lit

MARTS_SCHEMA = "marts"
STAMP_TABLE = "build_info"  # in the serving file, schemas main and marts: one row per stamp key
SERVING_STORAGE_VERSION = "v1.1.0"  # the oldest DuckDB BI tools bundle (1.1) reads it
STAMP_KEY = b"lifecycle.build"  # in each Parquet file's metadata: the stamp as JSON
PUBLISHED_DIR = "published"  # one folder per publication
CURRENT_LINK = "current"  # the pointer: published/<id> of the publication readers see
PARTIAL = ".partial"  # suffix of a publication being written
READ_ONLY = 0o444  # a BI client that opens a published file read-write is refused (unless root)
KEPT_PUBLICATIONS = 2  # the current one and the one before it (readers may still hold its files)
# the mart whose emptiness makes a build empty: no account at all (an as-of date before every event)
ACCOUNTS_MART = "accounts"


class EmptyBuildRefused(Refused):
    """The build has no accounts while the current publication has some."""


@dataclass(frozen=True)
class Published:
    marts: dict[str, int]  # mart -> rows
    exports: Path
    serving_file: Path


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _select_mart(name: str) -> str:
    return f"select * from {ident(MARTS_SCHEMA)}.{ident(name)}"


def temporary_name(path: Path) -> Path:
    """Where `path` is written before the rename: hidden, beside it (same file system), unique per process."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_parquet(reader: pa.RecordBatchReader, target: Path, stamp: bytes | None = None) -> int:
    """Stream `reader` into `target` under a temporary name, then rename it over `target`; rows written."""
    extra = {STAMP_KEY: stamp} if stamp is not None else {}
    schema = reader.schema.with_metadata({**(reader.schema.metadata or {}), **extra})
    temporary = temporary_name(target)
    rows = 0
    with pq.ParquetWriter(temporary, schema) as writer:
        for batch in reader:
            writer.write_batch(batch.replace_schema_metadata(schema.metadata))
            rows += batch.num_rows
    os.replace(temporary, target)
    return rows


def published_accounts(paths: WarehousePaths) -> int | None:
    """Rows of the accounts mart readers see now; None when nothing is published."""
    current = paths.exports / f"{ACCOUNTS_MART}.parquet"
    try:
        return pq.read_metadata(current).num_rows
    except (OSError, pa.ArrowException):
        return None  # nothing published, or nothing readable: no good state to protect


def _remove_leftovers(paths: WarehousePaths, published: Path) -> None:
    """What a killed publication left: partial folders, and the temporary files of the earlier layout."""
    for partial in published.glob(f"*{PARTIAL}"):
        shutil.rmtree(partial, ignore_errors=True)
    leftovers = list(paths.root.glob(f".{SERVING_FILE}.*.tmp")) + list(
        paths.root.glob(f".{CURRENT_LINK}.*.tmp")
    )
    if paths.exports.is_dir() and not paths.exports.is_symlink():
        leftovers += paths.exports.glob(".*.parquet.*.tmp")
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)


def _write_publication(
    database: Path, folder: Path, stamp: Mapping[str, object], published_at: datetime
) -> dict[str, int]:
    exports = folder / "exports"
    exports.mkdir(parents=True)
    counts: dict[str, int] = {}
    stamp_json = json.dumps({**stamp, "published_at": published_at.isoformat()}, default=str)
    with duckdb.connect(str(database), read_only=True) as source, duckdb.connect() as serving:
        serving.execute(
            f"attach {lit(str(folder / SERVING_FILE))} as serving "
            f"(storage_version {lit(SERVING_STORAGE_VERSION)})"
        )
        serving.execute("use serving")
        serving.execute(f"create schema {ident(MARTS_SCHEMA)}")
        for name in mart_tables(source):
            parquet = exports / f"{name}.parquet"
            counts[name] = write_parquet(
                source.sql(_select_mart(name)).to_arrow_reader(), parquet, stamp_json.encode()
            )
            # the serving copy is read back from the export just written: one extract, two files
            serving.execute(
                f"create table {ident(MARTS_SCHEMA)}.{ident(name)} as select * from read_parquet(?)",
                [str(parquet)],
            )
        # beside the marts for BI tools that show one schema; in main for readers of earlier versions
        for table in (ident(STAMP_TABLE), f"{ident(MARTS_SCHEMA)}.{ident(STAMP_TABLE)}"):
            serving.execute(f"create table {table} (key varchar, value varchar)")
            serving.executemany(
                f"insert into {table} values (?, ?)",
                [(k, str(v)) for k, v in json.loads(stamp_json).items()],
            )
        serving.execute("checkpoint")
    for path in [*exports.iterdir(), folder / SERVING_FILE]:
        path.chmod(READ_ONLY)
    return counts


def _link(target: str, link: Path) -> None:
    """Point `link` at `target` in one rename (a new link is built beside it first)."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _set_aside(folder: Path, published: Path, why: str) -> None:
    """Move a real folder where a link belongs into `published/` (a folder cannot be replaced by a link in
    one rename); it is pruned like an old publication."""
    if folder.is_dir() and not folder.is_symlink():
        folder.rename(published / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{why}")


def _fixed_links(paths: WarehousePaths, published: Path) -> None:
    """`serving.duckdb` and `exports` as links through `current`; the earlier layout's real file and
    folder, or a copy's, are replaced once."""
    serving = paths.serving_file
    if not serving.is_symlink():
        _link(f"{CURRENT_LINK}/{SERVING_FILE}", serving)  # replaces a real file in one rename
    if not paths.exports.is_symlink():
        _set_aside(paths.exports, published, "earlier-exports")
        _link(f"{CURRENT_LINK}/exports", paths.exports)


def _prune(published: Path, current: Path, keep: int) -> None:
    """Remove all but the newest `keep` publications (names begin with their time), never the current."""
    done = sorted(p for p in published.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL))
    for old in done[:-keep]:
        if old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)


def publish(
    database: Path, paths: WarehousePaths, stamp: Mapping[str, object], allow_empty: bool = False
) -> Published:
    """Publish every table of schema marts in `database` as a new publication and switch `current` to it.
    A build without accounts is refused while the current publication has accounts, unless `allow_empty`."""
    published = paths.root / PUBLISHED_DIR
    published.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(paths, published)
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S%fZ}-{str(stamp.get('run_id', 'run'))[:8]}"
    partial = published / f"{name}{PARTIAL}"
    try:
        counts = _write_publication(database, partial, stamp, now)
        before = published_accounts(paths)
        if not allow_empty and not counts.get(ACCOUNTS_MART) and before:
            raise EmptyBuildRefused(
                f"the build has no accounts (as of {stamp.get('as_of')}) while the published marts have "
                f"{before:,}: nothing was published. Check the as-of date and the landed data, or publish "
                "it anyway with `lifecycle run --allow-empty-publish`"
            )
        partial.rename(published / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    # a warehouse copied without its links (cp -r, copytree) has a real folder here
    _set_aside(paths.root / CURRENT_LINK, published, "copied-current")
    _link(f"{PUBLISHED_DIR}/{name}", paths.root / CURRENT_LINK)
    _fixed_links(paths, published)
    _prune(published, paths.root / CURRENT_LINK, KEPT_PUBLICATIONS)
    return Published(counts, paths.exports, paths.serving_file)
