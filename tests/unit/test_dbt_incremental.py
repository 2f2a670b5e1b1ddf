"""Every model built incrementally by account is awaited by int_builds_completed."""

import json

from pipelines.dbt.project import prepare_manifest


def test_a_build_is_recorded_complete_only_after_every_incremental_model():
    """int_builds_completed moves the watermark: were it not downstream of an incremental model, a build in
    which that model failed would still be recorded, and the next build would skip the accounts it left
    stale (dbt skips only a failed node's descendants)."""
    nodes = json.loads(prepare_manifest().read_text())["nodes"]
    incremental = {
        uid for uid, node in nodes.items() if node["config"].get("meta", {}).get("incremental_by_account")
    }
    completed = nodes["model.lifecycle.int_builds_completed"]["depends_on"]["nodes"]
    assert len(incremental) >= 8
    assert incremental - set(completed) == set()
