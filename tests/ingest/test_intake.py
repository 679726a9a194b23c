"""ingest/intake.py: whatever goes wrong with one file on its way to the queue fails that
file (outbox/failed, error file, FAILED), never the daemon, its reconcile, or the others."""

from __future__ import annotations

import json
import shutil

from docvault.core import status
from docvault.core.status import TaskState
from ingest import queue
from tests.conftest import MARKER, bomb_tiff, corpus, wait_for
from tests.ingest.conftest import daemon_alive, stop_process, tasks, wait_queued


def test_decompression_bomb_fails_that_file_and_the_daemon_survives_restarts(make_config, conn, watch_daemon,
                                                                             run_worker):
    config = make_config(ingest={"rescan_seconds": 1})
    normal = config.paths.inbox / "normal"
    normal.mkdir(parents=True)
    (normal / "bomb.tif").write_bytes(bomb_tiff())
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), normal / "hello.tif")

    first = watch_daemon()
    wait_queued(conn, 2)
    stop_process(first)
    conn.flushdb()  # Redis restarted empty: the next start's reconcile queues both again
    conn.set(MARKER, "1")
    second = watch_daemon()
    wait_queued(conn, 2)
    wait_for(lambda: daemon_alive(conn, second), what="the restarted daemon to run")
    stop_process(second)
    assert second.returncode == 0

    run_worker()
    error = json.loads((config.paths.failed / "bomb.tif.error.json").read_text())
    assert error["reason"] == "limit" and "200 million pixels" in error["message"]
    assert (config.paths.outbox / "hello.txt").exists()


def test_an_unexpected_error_while_queueing_fails_that_file_only(make_config, daemon, conn, monkeypatch):
    def broken(path, max_pages, timeout):
        if path.name == "cursed.pdf":
            raise RuntimeError("something about this one file")
        return 1

    monkeypatch.setattr(queue, "count_pages", broken)
    config = make_config()
    daemon(config)
    normal = config.paths.inbox / "normal"
    (normal / "cursed.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    wait_for(lambda: (config.paths.failed / "cursed.pdf.error.json").exists(), what="the error file")
    (normal / "fine.pdf").write_bytes(b"%PDF-1.4\n% fine\n%%EOF\n")  # the daemon claims on

    wait_queued(conn, 1)
    assert [t.name for t in tasks(config)] == ["fine.pdf"]
    error = json.loads((config.paths.failed / "cursed.pdf.error.json").read_text())
    assert error["reason"] == "internal" and error["original"] == "cursed.pdf"
    assert error["priority"] == "normal" and len(error["sha256"]) == 64
    assert "RuntimeError: something about this one file" in error["traceback"]
    (failed,) = status.list_tasks(conn, TaskState.FAILED)
    assert failed.fields["name"] == "cursed.pdf" and "unexpected error (RuntimeError)" in failed.message
    assert "something about" not in failed.message  # its text stays in the error file
