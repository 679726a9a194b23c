"""Setting files aside beside a typed sidecar: never overwriting, never opening what is
not a regular file; the sidecars read back as the records they were."""

from __future__ import annotations

import json
import os

import pytest

from docvault.core import sidecars
from docvault.core.errors import EncryptedPdf, InvalidRecord
from docvault.core.sidecars import DuplicateSidecar, ErrorSidecar


def _error(reason_exc: Exception = EncryptedPdf("scan.pdf has a password")) -> ErrorSidecar:
    return ErrorSidecar.from_exception("20261203-101010-abcd1234", "scan.pdf", reason_exc, attempts=1)


def test_symlink_is_moved_as_a_link_across_filesystems(tmp_path, other_filesystem):
    target = tmp_path / "target.pdf"
    target.write_bytes(b"private")
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    failed = other_filesystem / "failed"

    sidecar = sidecars.set_aside(link, "link.pdf", failed, _error())

    assert (failed / "link.pdf").is_symlink() and os.readlink(failed / "link.pdf") == str(target)
    assert not os.path.lexists(link) and target.read_bytes() == b"private"
    assert json.loads(sidecar.read_text())["original"] == "link.pdf"


def test_existing_names_get_a_suffix(tmp_path):
    failed = tmp_path / "failed"
    for n in range(2):
        source = tmp_path / "scan.pdf"
        source.write_bytes(f"copy {n}".encode())
        sidecars.set_aside(source, "scan.pdf", failed, _error())

    assert (failed / "scan.pdf").read_bytes() == b"copy 0" and (failed / "scan-2.pdf").read_bytes() == b"copy 1"
    assert json.loads((failed / "scan-2.pdf.error.json").read_text())["original"] == "scan-2.pdf"


def test_sidecar_alone_when_the_file_is_gone(tmp_path):
    sidecar = sidecars.set_aside(tmp_path / "gone.pdf", "gone.pdf", tmp_path / "failed", _error())
    assert json.loads(sidecar.read_text())["original"] is None
    assert sorted(p.name for p in (tmp_path / "failed").iterdir()) == ["gone.pdf.error.json"]


def test_error_sidecar_says_why_for_people_and_reads_back(tmp_path):
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF-1.7")
    sidecar = sidecars.set_aside(source, "scan.pdf", tmp_path / "failed", _error())

    raw = json.loads(sidecar.read_text())
    assert raw["reason"] == "encrypted" and raw["message"] == "scan.pdf has a password"
    assert raw["error"] == "EncryptedPdf" and raw["schema_version"] == sidecars.SCHEMA_VERSION
    assert "Traceback" in raw["traceback"] or raw["traceback"].startswith("docvault")
    back = sidecars.read_error(sidecar)
    assert back is not None and back.original == "scan.pdf" and back.reason == "encrypted"


def test_an_unexpected_error_is_internal_with_a_plain_message():
    record = _error(FileNotFoundError(2, "No such file", "/srv/docvault/tasks/x/page-0001.png"))
    assert record.reason == "internal" and "unexpected error (FileNotFoundError)" in record.message
    assert "/srv/docvault" not in record.message  # the status, API and webhooks show the message
    assert "/srv/docvault/tasks/x/page-0001.png" in record.traceback  # the error file keeps it


def test_duplicate_sidecar_goes_beside_its_file(tmp_path):
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF-1.7")
    record = DuplicateSidecar(task_id="t2", name="scan.pdf", message="same as before",
                              duplicate_of="t1", sha256="ab" * 32, skipped_at="2026-12-03T10:00:00+00:00")
    sidecar = sidecars.set_aside(source, "scan.pdf", tmp_path / "duplicates", record)
    assert sidecar.name == "scan.pdf.duplicate.json"
    assert json.loads(sidecar.read_text())["duplicate_of"] == "t1"


def test_what_is_not_an_error_sidecar_is_refused(tmp_path):
    (tmp_path / "a.error.json").write_text("[1, 2]")
    (tmp_path / "b.error.json").write_text("{not json")
    (tmp_path / "c.error.json").write_text(json.dumps({"task_id": "t1"}))  # fields missing
    for name in ("a", "b", "c"):
        with pytest.raises(InvalidRecord):
            sidecars.read_error(tmp_path / f"{name}.error.json")
    with pytest.raises(FileNotFoundError):
        sidecars.read_error(tmp_path / "missing.error.json")


@pytest.mark.parametrize("change", [{"original": "../../secret.pdf"}, {"relpath": "../elsewhere"},
                                    {"batch": "b/../x"}, {"priority": "urgent"}, {"sha256": "x"}])
def test_an_error_sidecar_with_a_changed_name_is_refused(tmp_path, change):
    error = sidecars.ErrorSidecar.from_exception("t1", "scan.pdf", ValueError("x"), 1)
    path = tmp_path / "scan.pdf.error.json"
    path.write_text(json.dumps({**error.to_dict(), **change}))
    with pytest.raises(InvalidRecord, match="not one DocVault wrote"):
        sidecars.read_error(path)
