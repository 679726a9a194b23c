"""Claiming into the work folder, and refusing what must not be read."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat

import pytest

from docvault.core.task import MANIFEST, Task
from ingest import spool
from tests.conftest import corpus, wait_for
from tests.core.test_names import LONG
from tests.ingest.conftest import inbox_files, queued_ids, tasks, wait_queued


def test_symlink_pointing_outside_goes_to_failed_unread(make_config, daemon, conn, tmp_path):
    config = make_config()
    secret = tmp_path / "outside" / "secret.pdf"
    secret.parent.mkdir()
    secret.write_bytes(b"%PDF-1.4 private\n%%EOF\n")
    daemon(config)
    (config.paths.inbox / "normal" / "link.pdf").symlink_to(secret)

    sidecar = config.paths.failed / "link.pdf.error.json"
    wait_for(sidecar.exists, what="the error sidecar")
    record = json.loads(sidecar.read_text())
    assert record["reason"] == "unsafe" and "symbolic link" in record["message"]
    assert record["name"] == "link.pdf" and record["original"] == "link.pdf"
    assert (config.paths.failed / "link.pdf").is_symlink()  # moved as a link, not copied
    assert secret.read_bytes() == b"%PDF-1.4 private\n%%EOF\n"
    assert inbox_files(config) == [] and tasks(config) == [] and queued_ids(conn) == []
    wait_for(lambda: conn.hget(f"docvault:task:{record['task_id']}", "state") == b"FAILED",
             what="the FAILED status")


def test_fifo_goes_to_failed_unread(make_config, daemon, conn):
    config = make_config()
    daemon(config)
    os.mkfifo(config.paths.inbox / "low" / "pipe.pdf")

    sidecar = config.paths.failed / "pipe.pdf.error.json"
    wait_for(sidecar.exists, what="the error sidecar")
    assert "pipe (FIFO)" in json.loads(sidecar.read_text())["message"]
    assert tasks(config) == [] and queued_ids(conn) == []


def test_device_file_goes_to_failed_unread(make_config, daemon, conn):
    config = make_config()
    daemon(config)
    try:  # /dev/null's twin: reading it would give nothing, but it must not even be opened
        os.mknod(config.paths.inbox / "high" / "null.pdf", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device file needs CAP_MKNOD (root)")

    sidecar = config.paths.failed / "null.pdf.error.json"
    wait_for(sidecar.exists, what="the error sidecar")
    assert "device" in json.loads(sidecar.read_text())["message"]
    assert stat.S_ISCHR((config.paths.failed / "null.pdf").lstat().st_mode)
    assert tasks(config) == [] and queued_ids(conn) == []


def test_claim_across_filesystems_copies_then_removes_the_original(make_config, daemon, conn, other_filesystem):
    config = make_config(paths={"work": str(other_filesystem / "work")})
    daemon(config)
    data = b"%PDF-1.4\n" + os.urandom(300_000) + b"\n%%EOF\n"
    (config.paths.inbox / "normal" / "big.pdf").write_bytes(data)

    (job_id,) = wait_queued(conn, 1)
    (task,) = tasks(config)
    assert task.id == job_id and task.original(config.paths.tasks).read_bytes() == data
    assert task.sha256 == hashlib.sha256(data).hexdigest()
    assert inbox_files(config) == []


def test_manifest_is_written_before_the_move_and_completed_after(tmp_path):
    inbox_file = tmp_path / "inbox" / "normal" / "A letter.pdf"
    inbox_file.parent.mkdir(parents=True)
    inbox_file.write_bytes(b"%PDF-1.4\n%%EOF\n")
    tasks_dir = tmp_path / "work" / "tasks"

    started = spool.start_claim(inbox_file, "20260101-000000-abcdabcd", "normal", tasks_dir)
    on_disk = Task.load(tasks_dir / started.id)
    assert on_disk.sha256 == "" and on_disk.name == "A letter.pdf"  # the crash-mid-claim state
    assert not inbox_file.exists() and started.original(tasks_dir).exists()

    finished = spool.finish_claim(started, tasks_dir)
    assert len(finished.sha256) == 64
    assert json.loads((tasks_dir / started.id / MANIFEST).read_text())["sha256"] == finished.sha256


def test_failed_move_leaves_the_file_in_the_inbox_and_no_folder(tmp_path, monkeypatch):
    inbox_file = tmp_path / "scan.pdf"
    inbox_file.write_bytes(b"data")
    tasks_dir = tmp_path / "tasks"

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(src))

    monkeypatch.setattr(spool.durable, "move", refuse)
    with pytest.raises(PermissionError):
        spool.start_claim(inbox_file, "t-1", "normal", tasks_dir)
    assert inbox_file.read_bytes() == b"data"
    assert list(tasks_dir.iterdir()) == []


def test_awkward_names_come_out_distinct_and_safe(make_config, daemon, conn, run_worker):
    config = make_config()
    daemon(config)
    # ("..\\x.tif" would be hidden, so ignored: the `..` here sit where they could climb)
    names = [LONG, "scans\\..\\..\\etc\\passwd.tif", "a..tif", "Scan.tif", "scan.tif", "  -rf .tif"]
    assert len(LONG) == 250
    for name in names:
        shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / "normal" / name)
    wait_queued(conn, len(names))

    run_worker()

    outbox = config.paths.outbox
    records = [json.loads(p.read_text()) for p in outbox.glob("*.json")]
    assert sorted(r["source"]["name"] for r in records) == sorted(names)  # originals kept
    written = [r["outputs"]["json"] for r in records] + [r["outputs"]["original"] for r in records]
    assert len({n.casefold() for n in written}) == len(written)  # distinct, even ignoring case
    for name in written:
        assert "\\" not in name and "/" not in name and not name.startswith((".", "-", " "))
        assert len(name.encode()) <= 255 and (outbox / name).is_file()
    assert not config.paths.failed.exists() or not any(config.paths.failed.iterdir())
