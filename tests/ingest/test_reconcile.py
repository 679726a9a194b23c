"""Crash safety: the work folder brings every dropped file out exactly once, whatever
happened to the daemon or to Redis."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from docvault.core import status
from docvault.core.outbox import OUTBOX_PLAN
from docvault.core.status import TaskState
from docvault.core.task import MANIFEST, Task
from ingest import reconcile
from tests.conftest import MARKER
from tests.ingest.conftest import inbox_files, queued_ids, stop_process, tasks, wait_queued, watch_process

PDF = b"%PDF-1.4\n% a tiny document\n%%EOF\n"


@pytest.mark.parametrize("point", ["moved", "claimed"])
def test_kill_between_move_and_enqueue_then_restart_yields_one_job(make_config, conn, point):
    config = make_config()
    (config.paths.inbox / "normal").mkdir(parents=True)
    (config.paths.inbox / "normal" / "scan.pdf").write_bytes(PDF)

    crashed = watch_process(fault=point)
    crashed.wait(timeout=30)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.read()
    (task,) = tasks(config)
    assert queued_ids(conn) == [] and inbox_files(config) == []
    assert (task.sha256 == "") is (point == "moved")

    restarted = watch_process()
    try:
        wait_queued(conn, 1)
    finally:
        log = stop_process(restarted)
    assert queued_ids(conn) == [task.id], log
    (after,) = tasks(config)
    assert after.id == task.id and len(after.sha256) == 64
    assert status.get_status(conn, task.id).state is TaskState.QUEUED


def test_flushed_redis_gets_every_waiting_task_again(make_config, daemon, conn):
    config = make_config()
    running = daemon(config)
    for n in range(3):
        (config.paths.inbox / "low" / f"doc{n}.pdf").write_bytes(PDF + bytes([n]))
    before = wait_queued(conn, 3)
    running.stop()
    conn.flushdb()
    conn.set(MARKER, "1")

    daemon(config)

    assert sorted(wait_queued(conn, 3)) == sorted(before)
    assert len(queued_ids(conn)) == 3


def _never(*args):
    raise AssertionError("nothing should be queued or finished here")


def test_task_with_complete_outputs_is_finished_off(make_config, conn):
    config = make_config()
    task = Task(id="20260101-000000-aaaaaaaa", name="done.pdf", file_name="done.pdf", priority="normal",
                sha256="0" * 64, size=10, created_at="2026-01-01T00:00:00+00:00", relpath="Batch")
    folder = task.folder(config.paths.tasks)
    folder.mkdir(parents=True)
    task.save(config.paths.tasks)
    (folder / OUTBOX_PLAN).write_text(json.dumps({"stem": "done"}))
    (config.paths.outbox / "Batch").mkdir(parents=True)
    (config.paths.outbox / "Batch" / "done.json").write_text(
        json.dumps({"task_id": task.id, "outputs": {"json": "done.json", "original": "done.pdf"}}))

    reconcile.reconcile(config, conn, _never, _never, _never)

    assert not folder.exists()
    record = status.get_status(conn, task.id)
    assert record.state is TaskState.COMPLETED
    assert record.outputs["json"] == "Batch/done.json"  # relative to the outbox, wherever it is mounted


def test_outputs_of_another_task_do_not_finish_this_one(make_config, conn):
    config = make_config()
    task = Task(id="20260101-000000-bbbbbbbb", name="a.pdf", file_name="a.pdf", priority="normal",
                sha256="0" * 64, size=3, created_at="2026-01-01T00:00:00+00:00")
    folder = task.folder(config.paths.tasks)
    folder.mkdir(parents=True)
    task.save(config.paths.tasks)
    task.original(config.paths.tasks).write_bytes(b"pdf")
    (folder / OUTBOX_PLAN).write_text(json.dumps({"stem": "a"}))
    long_ago = time.time() - 86400  # its worker is long gone
    os.utime(folder / OUTBOX_PLAN, (long_ago, long_ago))
    config.paths.outbox.mkdir(parents=True)
    (config.paths.outbox / "a.json").write_text(json.dumps({"task_id": "someone-else"}))
    dispatched: list[Task] = []

    reconcile.reconcile(config, conn, _never, dispatched.append, _never)

    assert [t.id for t in dispatched] == [task.id] and folder.exists()


def test_folder_with_a_file_but_no_manifest_is_repaired(make_config, conn):
    config = make_config()
    folder = config.paths.tasks / "20260101-000000-cccccccc"
    folder.mkdir(parents=True)
    (folder / "lost.pdf").write_bytes(PDF)
    finished: list[Task] = []
    dispatched: list[Task] = []

    def finish(task: Task) -> Task:
        finished.append(task)
        return task

    reconcile.reconcile(config, conn, finish, dispatched.append, _never)

    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["name"] == "lost.pdf" and manifest["priority"] == "normal"
    assert [t.id for t in finished] == [t.id for t in dispatched] == [folder.name]


def test_claim_interrupted_before_the_move_is_dropped(make_config, conn):
    config = make_config()
    task = Task(id="20260101-000000-dddddddd", name="x.pdf", file_name="x.pdf", priority="high",
                sha256="", size=3, created_at="2026-01-01T00:00:00+00:00")
    task.folder(config.paths.tasks).mkdir(parents=True)
    task.save(config.paths.tasks)

    reconcile.reconcile(config, conn, _never, _never, _never)

    assert not task.folder(config.paths.tasks).exists()


def test_task_a_worker_is_still_on_is_not_queued_twice_when_redis_lost_its_job(make_config, conn):
    config = make_config()
    task = Task(id="20260101-000000-eeeeeeee", name="big.pdf", file_name="big.pdf", priority="low",
                sha256="0" * 64, size=3, created_at="2026-01-01T00:00:00+00:00")
    folder = task.folder(config.paths.tasks)
    (folder / "pages").mkdir(parents=True)  # what a running worker writes
    task.save(config.paths.tasks)
    task.original(config.paths.tasks).write_bytes(b"pdf")
    dispatched: list[Task] = []

    reconcile.reconcile(config, conn, _never, dispatched.append, _never)
    assert dispatched == []

    long_ago = time.time() - config.pipeline.page_timeout_seconds - 120  # the worker died with it
    os.utime(folder / "pages", (long_ago, long_ago))
    reconcile.reconcile(config, conn, _never, dispatched.append, _never)
    assert [t.id for t in dispatched] == [task.id]
