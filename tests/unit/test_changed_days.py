"""Which arrival days a run over every landed day loads (pipelines/raw/changes.py): the days whose files
differ from what their last load read, by name and stat, and the loaded days whose folder has gone."""

from __future__ import annotations

import os
import time
from datetime import date

from pipelines.raw.changes import changed_days, file_stat

D1, D2, D3, D4 = (date(2024, 3, d) for d in (1, 2, 3, 4))
A, B = "sales/2024-03-01/a.jsonl", "sales/2024-03-01/b.jsonl"


def test_a_day_is_unchanged_only_while_it_holds_the_same_files_with_the_same_stats():
    loaded = {D1: {A: "10:1:1"}, D2: {A: "10:1:1"}, D3: {A: "10:1:1"}, D4: {A: "10:1:1"}}
    landed = {
        D1: {A: "10:1:1"},  # as loaded
        D2: {A: "10:1:2"},  # rewritten, moved in or touched: its change time moved
        D3: {A: "10:1:1", B: "5:1:1"},  # a file added
        # D4: the folder has gone: loading the day empties it
    }
    assert changed_days(landed, loaded) == [D2, D3, D4]
    assert changed_days({D1: {}}, {}) == []  # an empty folder holds nothing to load
    assert changed_days({D1: {A: "10:1:1"}}, {}) == [D1]  # never loaded
    assert changed_days({D1: {}}, {D1: {A: "10:1:1"}}) == [D1]  # its files removed


def test_a_day_whose_audit_has_no_stat_or_whose_file_cannot_be_listed_is_loaded_again():
    assert changed_days({D1: {A: "10:1:1"}}, {D1: {A: None}}) == [D1]  # audited before stats were kept
    assert changed_days({D1: {A: None}}, {D1: {A: None}}) == [D1]


def test_a_files_stat_changes_with_any_write_even_when_its_modification_time_is_put_back(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"event_id": "e1"}\n')
    before = file_stat(path)
    st = path.stat()
    time.sleep(0.05)  # past the file system's clock tick
    path.write_text('{"event_id": "e2"}\n')  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p` or `touch -r` would leave it
    assert file_stat(path) != before
    assert file_stat(tmp_path / "gone.jsonl") is None
