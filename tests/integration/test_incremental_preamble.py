"""Adding a model built incrementally by account is one step, and forgetting the part that makes the build
wait for it stops the build naming the model (macros/incremental/incremental_by_account.sql)."""

from __future__ import annotations

import shutil

import pytest

from pipelines.dbt.invoke import DbtFailed, run_in_process
from pipelines.dbt.project import DBT_PROJECT_DIR

NEW_MODEL = """{{ incremental_by_account() }}
select account_id from {{ ref('int_accounts_first_seen') }}
where {{ touched_accounts_only('account_id') }}
"""


def test_an_incremental_model_left_out_of_the_awaited_list_stops_the_build(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "intermediate" / "lifecycle" / "int_accounts_forgotten.sql").write_text(NEW_MODEL)
    args = ["compile", "--select", "int_builds_completed", "--project-dir", str(project)]
    args += ["--profiles-dir", str(project), "--vars", f'{{"warehouse_dir": "{tmp_path}"}}']
    with pytest.raises(DbtFailed, match="model int_accounts_forgotten is built incrementally by account"):
        run_in_process(args, tmp_path)
    (project / "macros" / "incremental" / "incremental_by_account.sql").write_text(
        (project / "macros" / "incremental" / "incremental_by_account.sql")
        .read_text()
        .replace(
            "'stage_snapshot_monthly', 'account_months',",
            "'stage_snapshot_monthly', 'account_months', 'int_accounts_forgotten',",
        )
    )
    run_in_process(args, tmp_path)  # named: the build waits for it
