"""Publishing: readers see one whole publication, the old or the new, whatever happens to the run that
writes it; published files are read-only; a build without accounts never replaces one with accounts;
and a publication carries exactly the build it follows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.config.paths import WarehousePaths
from pipelines.serving.publish import (
    CURRENT_LINK,
    PUBLISHED_DIR,
    SERVING_FILE,
    STAMP_KEY,
    EmptyBuildRefused,
    publish,
)
from tests.support.operations import land_business

MARTS = ("accounts", "cohort_retention", "key_accounts", "revenue_ledger")


def working_database(path: Path, accounts: int) -> Path:
    """A working database whose marts hold `accounts` accounts (and as many rows in each other mart)."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for mart in MARTS:
            con.execute(
                f"create table marts.{mart} as select range as account_id from range($n)", {"n": accounts}
            )
    return path


def stamps(paths: WarehousePaths) -> dict[str, str]:
    """The run id each published file carries, read through the paths readers use."""
    found = {
        p.name: json.loads(pq.read_schema(p).metadata[STAMP_KEY])["run_id"]
        for p in paths.exports.glob("*.parquet")
    }
    with duckdb.connect(str(paths.serving_file), read_only=True) as con:
        found[SERVING_FILE] = dict(con.execute("select key, value from build_info").fetchall())["run_id"]
    return found


def accounts_published(paths: WarehousePaths) -> int:
    return pq.read_metadata(paths.exports / "accounts.parquet").num_rows


@pytest.fixture
def paths(tmp_path) -> WarehousePaths:
    return WarehousePaths(tmp_path / "warehouse").ensure()


KILLED_PUBLISHER = """
import os, signal, sys
from pathlib import Path
from pipelines.serving import publish as module
from pipelines.config.paths import WarehousePaths
from tests.support.operations import land_business

written = []
original = module.write_parquet

def write_then_die(*args, **kwargs):
    rows = original(*args, **kwargs)
    written.append(args[1])
    if len(written) == 2:  # between two exports: the old layout had renamed half of them by now
        os.kill(os.getpid(), signal.SIGKILL)
    return rows

module.write_parquet = write_then_die
root, database = Path(sys.argv[1]), Path(sys.argv[2])
module.publish(database, WarehousePaths(root), {"run_id": "killed"})
"""


def test_a_publication_killed_half_way_leaves_readers_the_previous_one_whole(paths, tmp_path):
    publish(working_database(tmp_path / "one.duckdb", 3), paths, {"run_id": "first"})
    second = working_database(tmp_path / "two.duckdb", 5)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_PUBLISHER, str(paths.root), str(second)], check=False
    )
    assert killed.returncode == -9
    assert set(stamps(paths).values()) == {"first"}  # every file from one build, none from the killed one
    assert accounts_published(paths) == 3
    assert list((paths.root / PUBLISHED_DIR).glob("*.partial"))  # what the kill left behind

    publish(second, paths, {"run_id": "third"})
    assert set(stamps(paths).values()) == {"third"}
    assert accounts_published(paths) == 5
    published = paths.root / PUBLISHED_DIR
    assert not list(published.glob("*.partial"))
    assert (paths.root / CURRENT_LINK).resolve().parent == published.resolve()
    publish(second, paths, {"run_id": "fourth"})
    assert len(list(published.iterdir())) == 2  # the current publication and the one before it


def test_the_earlier_layout_and_its_temporary_files_are_taken_over(paths, tmp_path):
    # a warehouse published by the earlier version: a real folder and file, renamed over one by one, and
    # the temporary files a run killed mid-publication left
    paths.exports.mkdir()
    (paths.exports / "accounts.parquet").write_bytes(b"old")
    (paths.exports / ".accounts.parquet.4242.tmp").write_bytes(b"half")
    (paths.serving_file).write_bytes(b"old")
    (paths.root / f".{SERVING_FILE}.4242.tmp").write_bytes(b"half")
    publish(working_database(tmp_path / "w.duckdb", 2), paths, {"run_id": "new"})
    assert paths.exports.is_symlink()
    assert (paths.serving_file).is_symlink()
    assert set(stamps(paths).values()) == {"new"}
    assert not list(paths.root.glob(".*.tmp"))
    assert not list(paths.root.rglob(".accounts.parquet.*.tmp"))


def test_published_files_are_read_only(paths, tmp_path):
    # a BI client that connected without read_only changed build_info and the marts, and locked others out
    publish(working_database(tmp_path / "w.duckdb", 2), paths, {"run_id": "r"})
    files = [paths.serving_file, *paths.exports.glob("*.parquet")]
    assert len(files) == len(MARTS) + 1
    assert all(f.stat().st_mode & 0o222 == 0 for f in files)


def test_a_build_without_accounts_is_not_published_over_one_with_accounts(paths, tmp_path):
    publish(working_database(tmp_path / "w.duckdb", 3), paths, {"run_id": "good"})
    empty = working_database(tmp_path / "empty.duckdb", 0)
    with pytest.raises(EmptyBuildRefused, match="--allow-empty-publish"):
        publish(empty, paths, {"run_id": "empty", "as_of": "0001-01-01"})
    assert set(stamps(paths).values()) == {"good"}
    assert not list((paths.root / PUBLISHED_DIR).glob("*.partial"))
    publish(empty, paths, {"run_id": "empty"}, allow_empty=True)
    assert accounts_published(paths) == 0


def test_overlapping_runs_publish_each_build_under_its_own_stamp_or_not_at_all(warehouse):
    """Run B's build, run A's build, B's publication, A's publication: B's publication showed B's stamp
    over A's marts. Now B publishes nothing (its build was replaced), A publishes its own."""
    from pipelines.config.lifecycle import LifecycleSettings
    from pipelines.dbt.project import prepare_manifest
    from pipelines.definitions import defs
    from pipelines.defs.dbt.assets import DBT_OPS
    from pipelines.defs.ingest.triggers import LIFECYCLE_JOB, range_tags
    from pipelines.defs.serving.assets import REPORT_KEY, SERVING_KEY
    from pipelines.runner import landed_range, run_config
    from pipelines.runs.instance import range_events_at_once
    from pipelines.runs.storage import ephemeral_instance

    land_business(warehouse.landing)
    prepare_manifest()
    job = defs.resolve_job_def(LIFECYCLE_JOB)
    building = [k for k in job.asset_layer.executable_asset_keys if k not in (SERVING_KEY, REPORT_KEY)]
    days = landed_range(warehouse)
    assert days is not None

    def step(run_id: str, settings: LifecycleSettings, publishing: bool) -> dict:
        config = run_config(warehouse, settings, "WARNING")
        if publishing:  # the dbt steps are not selected: no config for them
            for op in DBT_OPS:
                config["ops"].pop(op)
        # each run's own instance (a run id is unique per instance), in memory and logging its range's
        # events as `lifecycle run --no-record` does (pipelines/runner.py)
        with ephemeral_instance() as instance, range_events_at_once():
            result = job.execute_in_process(
                instance=instance,
                run_id=run_id,
                tags=range_tags(*days),
                run_config=config,
                asset_selection=[SERVING_KEY] if publishing else building,
            )
        found = list(result.asset_materializations_for_node(SERVING_KEY.to_python_identifier()))
        return {k: v.value for k, v in found[0].metadata.items()} if found else {}

    run_a, run_b = "aaaaaaaa-0000-0000-0000-000000000000", "bbbbbbbb-0000-0000-0000-000000000000"
    step(run_b, LifecycleSettings(), publishing=False)
    step(run_a, LifecycleSettings(lost_after_days=180), publishing=False)
    assert step(run_b, LifecycleSettings(), publishing=True) == {"published": False, "superseded_by": run_a}
    assert not (warehouse.serving_file).exists()
    assert step(run_a, LifecycleSettings(lost_after_days=180), publishing=True)["run_id_published"] == run_a
    assert set(stamps(warehouse).values()) == {run_a}
    stamp = json.loads(pq.read_schema(warehouse.exports / "accounts.parquet").metadata[STAMP_KEY])
    assert stamp["lost_after_days"] == 180
    # a run that built nothing publishes the build the warehouse holds, under that build's stamp
    assert (
        step("cccccccc-0000-0000-0000-000000000000", LifecycleSettings(), publishing=True)["run_id_published"]
        == run_a
    )


def test_a_warehouse_copied_without_its_links_publishes_again(paths, tmp_path):
    # cp -r and shutil.copytree turn the links into real folders and files
    publish(working_database(tmp_path / "w.duckdb", 2), paths, {"run_id": "before"})
    copy = WarehousePaths(tmp_path / "copy")
    shutil.copytree(paths.root, copy.root)
    assert not (copy.root / CURRENT_LINK).is_symlink()
    publish(working_database(tmp_path / "w.duckdb", 4), copy, {"run_id": "after"})
    assert set(stamps(copy).values()) == {"after"}
    assert accounts_published(copy) == 4
    assert set(stamps(paths).values()) == {"before"}  # the original is untouched
