"""Batch ids, outbox paths, and when a dropped folder leaves the inbox."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import PurePath

from ingest import batch
from tests.conftest import corpus
from tests.ingest.conftest import stop_process, tasks, wait_queued


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


def _redis_text(conn) -> str:
    """Every key and value in the tests' database, as text."""
    dump = []
    for key in conn.scan_iter():
        kind = conn.type(key).decode()
        value = {"hash": conn.hgetall, "string": conn.get, "set": conn.smembers,
                 "zset": lambda k: conn.zrange(k, 0, -1), "list": lambda k: conn.lrange(k, 0, -1),
                 "stream": conn.xrange}[kind](key)
        dump.append(f"{key!r} {value!r}")
    return "\n".join(dump)


def test_marker_linked_to_a_secret_is_never_read(make_config, conn, watch_daemon, run_worker, tmp_path):
    """A dropped folder whose marker links to a file of secrets (as /proc/self/environ
    would be): the link is replaced, never followed; no secret reaches the task, Redis or
    the outbox."""
    config = make_config()
    environ = tmp_path / "environ"
    environ.write_bytes(b"REDIS_URL=redis://:hunter2@nas\0API_KEY=s3cr3t-t0ken\0")
    drop = tmp_path / "Scans"
    drop.mkdir()
    (drop / batch.MARKER).symlink_to(environ)
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), drop / "letter.tif")
    (config.paths.inbox / "normal").mkdir(parents=True)
    shutil.move(drop, config.paths.inbox / "normal" / "Scans")

    proc = watch_daemon()
    wait_queued(conn, 1)
    (task,) = tasks(config)
    manifest = (config.paths.tasks / task.id / "task.json").read_text()
    stop_process(proc)
    run_worker()

    outbox_json = (config.paths.outbox / "Scans" / "letter.json").read_text()
    for text in (manifest, _redis_text(conn), outbox_json):
        assert "hunter2" not in text and "s3cr3t" not in text
    assert task.batch is not None and json.loads(outbox_json)["source"]["batch"] == task.batch
    assert environ.read_bytes().startswith(b"REDIS_URL=")  # the link's target untouched


def test_pipe_as_marker_does_not_stop_the_daemon(make_config, conn, watch_daemon, tmp_path):
    config = make_config()
    normal = config.paths.inbox / "normal"
    drop = tmp_path / "Scans"
    drop.mkdir()
    os.mkfifo(drop / batch.MARKER)
    (drop / "a.pdf").write_bytes(b"%PDF-1.4\n% a\n%%EOF\n")
    normal.mkdir(parents=True)
    shutil.move(drop, normal / "Scans")

    proc = watch_daemon()
    wait_queued(conn, 1)
    (normal / "later.pdf").write_bytes(b"%PDF-1.4\n% later\n%%EOF\n")  # still claimed

    wait_queued(conn, 2)
    assert sorted(t.name for t in tasks(config)) == ["a.pdf", "later.pdf"]
    assert batch.read_marker(normal / "Scans") == next(t.batch for t in tasks(config) if t.batch)
    stop_process(proc)


def test_marker_that_is_not_an_id_is_replaced(tmp_path):
    (tmp_path / batch.MARKER).write_text("../../etc/passwd")
    found = batch.batch_id(tmp_path)
    assert found is not None and found.startswith("b") and batch.read_marker(tmp_path) == found
