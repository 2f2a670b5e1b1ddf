"""The incremental builds' fingerprint covers every lifecycle setting: a var left out of it would let an
incremental build keep rows computed under the old value."""

import re

from pipelines.config.lifecycle import setting_names
from pipelines.dbt.project import DBT_PROJECT_DIR


def test_the_fingerprint_lists_every_lifecycle_var():
    macro = (DBT_PROJECT_DIR / "macros" / "incremental_builds.sql").read_text(encoding="utf-8")
    body = re.search(r"macro lifecycle_var_names\(\).*?return\(\[(.*?)\]\)", macro, re.S)
    assert body, "macro lifecycle_var_names not found"
    assert set(re.findall(r"'([a-z_]+)'", body.group(1))) == set(setting_names())


def test_a_build_is_recorded_complete_only_after_every_incremental_model():
    """int_builds_completed moves the watermark: were it not downstream of an incremental model, a build in
    which that model failed would still be recorded, and the next build would skip the accounts it left
    stale (dbt skips only a failed node's descendants)."""
    models = DBT_PROJECT_DIR / "models"
    incremental = {
        path.stem for path in models.rglob("*.sql") if "delete_touched_accounts(" in path.read_text("utf-8")
    }
    completed = (models / "intermediate" / "int_builds_completed.sql").read_text("utf-8")
    upstream = set(re.findall(r"ref\('([a-z_]+)'\)", completed))
    assert len(incremental) >= 6
    assert incremental - upstream == set()
