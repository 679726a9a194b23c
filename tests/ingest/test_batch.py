"""Batch ids, outbox paths, and when a dropped folder leaves the inbox."""

from __future__ import annotations

import os
import time
from pathlib import PurePath

from ingest import batch


def test_relpath_is_the_safe_folder_inside_the_batch():
    rel = PurePath("normal", "Tax 2025", "..sub", "a.pdf")
    assert batch.batch_folder(rel) == PurePath("normal", "Tax 2025")
    assert batch.relpath(rel) == "Tax 2025/sub"
    assert batch.batch_folder(PurePath("normal", "a.pdf")) is None


def test_batch_id_is_kept_in_the_folder(tmp_path):
    first = batch.batch_id(tmp_path)
    assert batch.batch_id(tmp_path) == first and (tmp_path / batch.MARKER).exists()


def _age(folder, seconds: float) -> None:
    past = time.time() - seconds
    for root, dirs, files in os.walk(folder):
        os.utime(root, (past, past))


def test_consumed_folder_is_removed_once_quiet(tmp_path):
    folder = tmp_path / "Scans"
    (folder / "sub").mkdir(parents=True)
    batch.batch_id(folder)

    assert not batch.remove_if_consumed(folder, quiet_seconds=60)  # just claimed from
    _age(folder, 120)
    assert batch.remove_if_consumed(folder, quiet_seconds=60)
    assert not folder.exists()


def test_folder_with_anything_else_in_it_stays(tmp_path):
    folder = tmp_path / "Scans"
    folder.mkdir()
    batch.batch_id(folder)
    (folder / ".DS_Store").write_bytes(b"finder")  # ignored, so never consumed
    _age(folder, 120)

    assert not batch.remove_if_consumed(folder, quiet_seconds=60)
    assert (folder / ".DS_Store").exists()


def test_folder_we_never_claimed_from_stays(tmp_path):
    folder = tmp_path / "New folder"
    folder.mkdir()
    _age(folder, 120)
    assert not batch.remove_if_consumed(folder, quiet_seconds=60) and folder.exists()
