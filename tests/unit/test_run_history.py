"""The run history's SQLite files skip the fsync per commit; every other SQLite database keeps it."""

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pipelines.config.paths import WarehousePaths
from pipelines.runs.instance import recorded_instance

FULL, OFF = 2, 0  # pragma synchronous


def synchronous(file) -> int:
    engine = create_engine(f"sqlite:///{file}", poolclass=NullPool)  # as Dagster opens its storage
    try:
        with engine.connect() as conn:
            return conn.execute(text("pragma synchronous")).scalar_one()
    finally:
        engine.dispose()


def test_only_the_run_history_skips_the_fsync(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    paths = WarehousePaths(root=tmp_path / "warehouse")
    with recorded_instance(paths) as instance:
        assert instance.get_runs() == []  # the instance opens and reads its own storage
        assert synchronous(paths.root / "dagster" / "history" / "runs.db") == OFF
        assert synchronous(tmp_path / "elsewhere.db") == FULL
        assert synchronous(tmp_path / "warehouse" / "dagster-like.db") == FULL  # not inside the home
