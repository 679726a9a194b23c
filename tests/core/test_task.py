"""docvault/core/task.py: a manifest is checked field by field when it is loaded."""

from __future__ import annotations

import json

import pytest

from docvault.core.errors import InvalidRecord
from docvault.core.task import MANIFEST, Task, new_task_id

GOOD = {"name": "Tax 2025 ä.pdf", "file_name": "Tax 2025 ä.pdf", "priority": "normal", "sha256": "0" * 64,
        "size": 3, "created_at": "2026-01-01T00:00:00+00:00", "batch": "b20260101-000000-0123abcd",
        "relpath": "Tax 2025/receipts", "language": "deu+eng"}


def _load(tmp_path, **changes) -> Task:
    task_id = new_task_id()
    folder = tmp_path / task_id
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"id": task_id, **GOOD, **changes}))
    return Task.load(folder)


def test_a_manifest_as_docvault_writes_it_loads(tmp_path):
    assert _load(tmp_path).relpath == "Tax 2025/receipts"


@pytest.mark.parametrize("changes", [
    {"file_name": "../../../etc/passwd"}, {"file_name": "a/b.pdf"}, {"file_name": ".hidden"},
    {"file_name": "task.json"}, {"relpath": "../elsewhere"}, {"relpath": "/etc"}, {"relpath": "a//b"},
    {"id": "20260101-000000-0123abcd"}, {"batch": "../b"}, {"duplicate_of": "x; rm"},
    {"language": "../../tessdata/x"}, {"priority": "urgent"}, {"size": "3"}, {"evil": 1},
])
def test_a_changed_field_is_refused(tmp_path, changes):
    with pytest.raises(InvalidRecord):
        _load(tmp_path, **changes)


def test_outbox_folder_through_a_link_leading_out_is_refused(tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "Tax 2025").symlink_to(tmp_path)
    (tmp_path / "tasks").mkdir()
    task = _load(tmp_path / "tasks")  # relpath "Tax 2025/receipts"
    with pytest.raises(InvalidRecord, match="leads outside"):
        task.outbox_folder(outbox)
