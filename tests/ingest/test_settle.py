"""When is a file written completely? A real writer against the real daemon, and the
rules one check at a time."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time

from PIL import Image, ImageDraw

from docvault.core.config import IngestSettings
from ingest import settle
from ingest.settle import Candidate, Verdict
from tests.ingest.conftest import queued_ids, tasks, wait_queued


def _pdf_bytes() -> bytes:
    image = Image.new("L", (600, 400), 255)
    ImageDraw.Draw(image).text((40, 40), "chunked scan", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=100)
    return buffer.getvalue()


def test_chunked_writer_that_closes_and_reopens_yields_one_complete_task(make_config, daemon, conn):
    """Like a scanner writing page by page: 20 appends over ~5 s, the file closed between
    them, and one pause longer than the quiet period that only the missing %%EOF bridges."""
    config = make_config(ingest={"settle_seconds": 0.6, "max_wait_seconds": 60})
    daemon(config)
    data = _pdf_bytes()
    target = config.paths.inbox / "normal" / "scan.pdf"
    chunks = [data[i * len(data) // 20:(i + 1) * len(data) // 20] for i in range(20)]
    done = threading.Event()

    def write() -> None:
        for n, chunk in enumerate(chunks):
            with open(target, "ab") as fh:
                fh.write(chunk)
            time.sleep(1.5 if n == 9 else 0.15)
        done.set()

    threading.Thread(target=write, daemon=True).start()
    assert done.wait(30)
    wait_queued(conn, 1)

    (task,) = tasks(config)
    assert task.sha256 == hashlib.sha256(data).hexdigest()
    assert task.original(config.paths.tasks).read_bytes() == data
    assert queued_ids(conn) == [task.id]


def _candidate(path, now: float) -> Candidate:
    return Candidate(path, "t-1", first_seen=now, last_event=now, last_stat=settle.stat_key(path))


def test_file_is_ready_when_quiet_and_unchanged(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"complete")
    rules = IngestSettings(settle_seconds=2)
    candidate = _candidate(path, now=100.0)

    assert settle.check(candidate, 101.0, rules) is Verdict.WAIT  # not quiet long enough
    assert settle.check(candidate, 102.0, rules) is Verdict.READY


def test_file_that_changed_between_checks_waits_another_quiet_period(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"first part")
    rules = IngestSettings(settle_seconds=2)
    candidate = _candidate(path, now=100.0)
    with open(path, "ab") as fh:  # a write whose event was lost
        fh.write(b" and more")

    assert settle.check(candidate, 102.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 103.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 104.0, rules) is Verdict.READY


def test_samba_style_preallocated_file_waits_for_its_content(tmp_path):
    """The final size is set first; only the mtime says the content is still coming."""
    path = tmp_path / "a.pdf"
    path.write_bytes(b"\0" * 1000)
    rules = IngestSettings(settle_seconds=2)
    candidate = _candidate(path, now=100.0)
    with open(path, "r+b") as fh:
        fh.write(b"%PDF-1.4")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))

    assert settle.check(candidate, 102.0, rules) is Verdict.WAIT


def test_pdf_without_end_marker_waits_until_max_wait(tmp_path, caplog):
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n")
    rules = IngestSettings(settle_seconds=2, max_wait_seconds=30)
    candidate = _candidate(path, now=100.0)

    assert settle.check(candidate, 102.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 129.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 131.0, rules) is Verdict.READY
    assert "t-1 cut.pdf: no %%EOF after 31 s; claiming it anyway" in caplog.text


def test_unreadable_file_waits_and_says_why_once(tmp_path, caplog, monkeypatch):
    path = tmp_path / "locked.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    rules = IngestSettings(settle_seconds=2)
    candidate = _candidate(path, now=100.0)
    monkeypatch.setattr(settle, "is_readable", lambda p: False)  # as a file without read permission

    assert settle.check(candidate, 102.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 104.0, rules) is Verdict.WAIT
    assert caplog.text.count("cannot be opened for reading") == 1

    monkeypatch.undo()
    assert settle.check(candidate, 106.0, rules) is Verdict.READY


def test_symlink_is_ready_at_once_and_never_opened(tmp_path):
    path = tmp_path / "link.pdf"
    path.symlink_to(tmp_path / "nowhere.pdf")  # dangling: opening it would fail
    candidate = _candidate(path, now=100.0)

    assert settle.check(candidate, 102.0, IngestSettings(settle_seconds=2)) is Verdict.READY


def test_deleted_file_is_gone(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"x")
    candidate = _candidate(path, now=100.0)
    path.unlink()

    assert settle.check(candidate, 102.0, IngestSettings(settle_seconds=2)) is Verdict.GONE
