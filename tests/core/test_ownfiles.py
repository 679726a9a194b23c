"""docvault/core/ownfiles.py: reading back our own records as if they were hostile."""

from __future__ import annotations

import os

import pytest

from docvault.core import ownfiles
from docvault.core.errors import InvalidRecord, UnsafeFile


def test_a_record_is_read_whole_up_to_its_bound(tmp_path):
    (tmp_path / "task.json").write_text('{"id": "x"}')
    assert ownfiles.read_json(tmp_path / "task.json") == {"id": "x"}
    with pytest.raises(FileNotFoundError):
        ownfiles.read(tmp_path / "missing.json")


@pytest.mark.parametrize("make", ["link", "fifo", "folder", "large", "not-json", "list"])
def test_anything_but_a_small_regular_file_of_ours_is_refused_unread(tmp_path, make):
    secret = tmp_path / "secret"
    secret.write_text('{"token": "s3cr3t"}')
    path = tmp_path / "record.json"
    {"link": lambda: path.symlink_to(secret), "fifo": lambda: os.mkfifo(path), "folder": path.mkdir,
     "large": lambda: path.write_text(" " * (ownfiles.RECORD_BYTES + 1)),
     "not-json": lambda: path.write_text("{"), "list": lambda: path.write_text("[1]")}[make]()

    with pytest.raises(InvalidRecord) as refused:
        ownfiles.read_json(path)  # a pipe without a writer would block here for good
    assert "s3cr3t" not in refused.value.message


def test_a_document_swapped_for_a_pipe_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "scan.pdf")
    with pytest.raises(UnsafeFile, match="pipe"):
        ownfiles.open_regular(tmp_path / "scan.pdf")
