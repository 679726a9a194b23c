"""Setting files aside beside a sidecar: never overwriting, never opening what is not a
regular file."""

from __future__ import annotations

import json
import os

from docvault.core import sidecars as aside


def test_symlink_is_moved_as_a_link_across_filesystems(tmp_path, other_filesystem):
    target = tmp_path / "target.pdf"
    target.write_bytes(b"private")
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    failed = other_filesystem / "failed"

    sidecar = aside.set_aside(link, "link.pdf", failed, {"reason": "unsafe"})

    assert (failed / "link.pdf").is_symlink() and os.readlink(failed / "link.pdf") == str(target)
    assert not os.path.lexists(link) and target.read_bytes() == b"private"
    assert json.loads(sidecar.read_text()) == {"reason": "unsafe", "original": "link.pdf"}


def test_existing_names_get_a_suffix(tmp_path):
    failed = tmp_path / "failed"
    for n in range(2):
        source = tmp_path / "scan.pdf"
        source.write_bytes(f"copy {n}".encode())
        aside.set_aside(source, "scan.pdf", failed, {"n": n})

    assert (failed / "scan.pdf").read_bytes() == b"copy 0" and (failed / "scan-2.pdf").read_bytes() == b"copy 1"
    assert json.loads((failed / "scan-2.pdf.error.json").read_text()) == {"n": 1, "original": "scan-2.pdf"}


def test_sidecar_alone_when_the_file_is_gone(tmp_path):
    sidecar = aside.set_aside(tmp_path / "gone.pdf", "gone.pdf", tmp_path / "failed", {"reason": "x"})
    assert json.loads(sidecar.read_text())["original"] is None
    assert sorted(p.name for p in (tmp_path / "failed").iterdir()) == ["gone.pdf.error.json"]
