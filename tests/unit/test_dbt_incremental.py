"""The incremental builds' fingerprint covers every lifecycle setting: a var left out of it would let an
incremental build keep rows computed under the old value."""

import re

from pipelines.defs.resources import DBT_PROJECT_DIR
from pipelines.lifecycle_settings import setting_names


def test_the_fingerprint_lists_every_lifecycle_var():
    macro = (DBT_PROJECT_DIR / "macros" / "incremental_builds.sql").read_text(encoding="utf-8")
    body = re.search(r"macro lifecycle_var_names\(\).*?return\(\[(.*?)\]\)", macro, re.S)
    assert body, "macro lifecycle_var_names not found"
    assert set(re.findall(r"'([a-z_]+)'", body.group(1))) == set(setting_names())
