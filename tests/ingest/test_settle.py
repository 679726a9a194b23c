"""When is a file written completely? A real writer against the real daemon, and the
rules one check at a time."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import time

from PIL import Image, ImageDraw

from docvault.core import status
from docvault.core.config import IngestSettings
from docvault.core.status import TaskState
from ingest import settle
from ingest.settle import Candidate, Verdict
from tests.conftest import docvault, wait_for
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


def test_file_named_pdf_that_is_no_pdf_is_claimed_when_quiet(tmp_path):
    """A JPEG, a program or a web page called .pdf never gets its %%EOF: no reason to wait."""
    rules = IngestSettings(settle_seconds=2, max_wait_seconds=600)
    for name, content in (("photo.pdf", b"\xff\xd8\xff\xe0" + b"\0" * 100), ("tool.pdf", b"\x7fELF\2\1\1"),
                          ("page.pdf", b"<!DOCTYPE html><html></html>")):
        path = tmp_path / name
        path.write_bytes(content)
        assert settle.check(_candidate(path, now=100.0), 102.0, rules) is Verdict.READY, name


def test_pdf_content_waits_for_its_end_whatever_its_name(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ingest.settle")
    path = tmp_path / "scan.bin"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n")
    rules = IngestSettings(settle_seconds=2, max_wait_seconds=30)
    candidate = _candidate(path, now=100.0)

    assert settle.check(candidate, 102.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 104.0, rules) is Verdict.WAIT
    assert candidate.waiting.startswith("is a PDF without its end marker (%%EOF) yet")
    assert caplog.text.count("t-1 scan.bin: is a PDF without its end marker (%%EOF) yet: waiting for the "
                             "rest, claimed anyway after 30 s") == 1


def test_empty_file_waits_for_its_writer_and_says_so_once(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ingest.settle")
    path = tmp_path / "a.png"
    path.touch()
    rules = IngestSettings(settle_seconds=2, max_wait_seconds=30)
    candidate = _candidate(path, now=100.0)

    assert settle.check(candidate, 102.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 104.0, rules) is Verdict.WAIT
    assert caplog.text.count("t-1 a.png: is empty (0 bytes): waiting for its writer") == 1
    assert settle.check(candidate, 131.0, rules) is Verdict.READY
    assert "t-1 a.png: still empty after 31 s; claiming it anyway" in caplog.text


def test_waiting_files_are_shown_in_list_and_status_until_they_go(make_config, daemon, conn):
    config = make_config(ingest={"max_wait_seconds": 120})
    daemon(config)
    normal = config.paths.inbox / "normal"
    (normal / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n")
    (normal / "empty.png").touch()
    (normal / "photo.pdf").write_bytes(b"\xff\xd8\xff\xe0 a JPEG called .pdf")

    wait_queued(conn, 1)  # photo.pdf, claimed without waiting for %%EOF
    waiting = wait_for(lambda: len(found := status.list_tasks(conn, TaskState.WAITING)) == 2 and found,
                       what="two WAITING records")
    assert {r.fields["name"]: r.message.split(":")[0] for r in waiting} == {
        "cut.pdf": "is a PDF without its end marker (%%EOF) yet", "empty.png": "is empty (0 bytes)"}
    listed = docvault("list").stdout
    assert "WAITING" in listed and "cut.pdf" in listed and "empty.png" in listed
    cut = next(r for r in waiting if r.fields["name"] == "cut.pdf")
    shown = docvault("status", cut.task_id).stdout
    assert "WAITING" in shown and "waiting for the rest" in shown

    with open(normal / "cut.pdf", "ab") as fh:
        fh.write(b"endobj\n%%EOF\n")
    (normal / "empty.png").unlink()

    wait_queued(conn, 2)
    assert status.get_status(conn, cut.task_id).state is TaskState.QUEUED  # claimed under the id shown
    wait_for(lambda: not status.list_tasks(conn, TaskState.WAITING), what="the empty file's record to go")


def _closed(path, now: float) -> Candidate:
    """What the watcher makes of a writer closing `path` (inotify close_write)."""
    candidate = _candidate(path, now)
    candidate.touched(now, done=True)
    return candidate


def test_closed_complete_file_is_ready_before_the_quiet_period(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes())
    candidate = _closed(path, now=100.0)

    assert settle.check(candidate, 100.0, IngestSettings(settle_seconds=60)) is Verdict.READY


def test_closed_pdf_without_end_marker_waits_as_before(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes()[:-200])
    candidate = _closed(path, now=100.0)
    rules = IngestSettings(settle_seconds=60, max_wait_seconds=600)

    assert settle.check(candidate, 100.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 161.0, rules) is Verdict.WAIT  # quiet, but no %%EOF


def test_file_changed_after_its_close_waits_the_quiet_period(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes())
    candidate = _closed(path, now=100.0)
    with open(path, "ab") as fh:  # a write whose event was lost
        fh.write(b"\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))

    assert settle.check(candidate, 100.0, IngestSettings(settle_seconds=60)) is Verdict.WAIT


def test_writer_that_reopens_keeps_the_settle_rules(tmp_path):
    """Closed complete, written again, closed complete again: this writer's close says
    nothing (it may open the file once more), so only the quiet period does."""
    path = tmp_path / "scan.pdf"
    data = _pdf_bytes()
    path.write_bytes(data)
    candidate = _closed(path, now=100.0)
    candidate.touched(100.5, done=False)  # reopened and written
    path.write_bytes(data + data)
    candidate.touched(101.0, done=True)
    rules = IngestSettings(settle_seconds=2)

    assert settle.check(candidate, 101.0, rules) is Verdict.WAIT
    assert settle.check(candidate, 103.0, rules) is Verdict.READY


def test_daemon_claims_a_closed_complete_file_without_the_quiet_period(make_config, daemon, conn):
    """A quiet period of 10 minutes: only the close lets the PDF through; the one cut
    short, closed before it, still waits."""
    config = make_config(ingest={"settle_seconds": 600, "max_wait_seconds": 600})
    daemon(config)
    normal = config.paths.inbox / "normal"
    (normal / "cut.pdf").write_bytes(_pdf_bytes()[:-200])
    (normal / "whole.pdf").write_bytes(_pdf_bytes())

    wait_queued(conn, 1)
    assert [t.name for t in tasks(config)] == ["whole.pdf"]
    assert (normal / "cut.pdf").exists()
