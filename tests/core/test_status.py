"""docvault/core/status.py against the real Redis: records, expiries, the task index, the
finished facts, heartbeats; and a scan of what a real run leaves behind."""

from __future__ import annotations

import http.server
import threading

from redis import Redis

from docvault.core import status
from docvault.core.config import ResultSettings
from docvault.core.status import Finished, TaskState
from tests.conftest import MARKER, corpus, wait_for

DAY = 86400
RESULTS = ResultSettings(status_ttl_days=2)


def test_every_write_sets_the_expiry_again(conn: Redis):
    status.set_state(conn, RESULTS, "t1", TaskState.QUEUED, progress=0, message="waiting", name="a.png")
    conn.expire(status.task_key("t1"), 5)
    status.set_state(conn, RESULTS, "t1", TaskState.PROCESSING, progress=10, message="loaded")
    assert 2 * DAY - 5 <= conn.ttl(status.task_key("t1")) <= 2 * DAY  # results.status_ttl_days
    assert 2 * DAY - 5 <= conn.ttl(status.TASKS_KEY) <= 2 * DAY
    record = status.get_status(conn, "t1")
    assert record.state is TaskState.PROCESSING and record.progress == 10
    assert record.fields["name"] == "a.png" and record.fields["created_at"]


def test_progress_is_kept_unless_given_and_full_when_final(conn: Redis):
    status.set_state(conn, RESULTS, "t2", TaskState.PROCESSING, progress=40, message="page 2 of 5")
    status.set_state(conn, RESULTS, "t2", TaskState.RETRYING, message="will retry")
    assert status.get_status(conn, "t2").progress == 40
    status.set_state(conn, RESULTS, "t2", TaskState.FAILED, message="broken")
    assert status.get_status(conn, "t2").progress == 100


def test_list_filters_by_state_and_batch(conn: Redis):
    status.set_state(conn, RESULTS, "a", TaskState.COMPLETED, message="done", batch="scans")
    status.set_state(conn, RESULTS, "b", TaskState.FAILED, message="broken", batch="scans")
    status.set_state(conn, RESULTS, "c", TaskState.FAILED, message="broken", batch="")
    assert [r.task_id for r in status.list_tasks(conn)] == ["a", "b", "c"]
    assert [r.task_id for r in status.list_tasks(conn, TaskState.FAILED)] == ["b", "c"]
    assert [r.task_id for r in status.list_tasks(conn, TaskState.FAILED, "scans")] == ["b"]


def test_expired_records_drop_out_of_the_list(conn: Redis):
    status.set_state(conn, RESULTS, "gone", TaskState.COMPLETED, message="done")
    conn.delete(status.task_key("gone"))  # as its expiry would
    assert status.list_tasks(conn) == []


def test_finished_facts_older_than_a_day_are_pruned(conn: Redis):
    status.record_finished(conn, Finished("old", TaskState.COMPLETED, 1000.0, 5.0, 1))
    status.record_finished(conn, Finished("new", TaskState.FAILED, 1000.0 + DAY + 1, 0.0, 0))
    assert [f.task_id for f in status.finished_since(conn, 0)] == ["new"]
    assert 0 < conn.ttl(status.FINISHED_KEY) <= DAY


def test_daemon_heartbeat_expires_and_survives_a_missing_redis(conn: Redis):
    assert status.beat_daemon(conn) and status.is_daemon_alive(conn)
    assert 0 < conn.ttl(status.DAEMON_KEY) <= status.DAEMON_TTL
    dead = Redis(port=1, socket_connect_timeout=0.5)  # nothing listens on port 1
    assert status.beat_daemon(dead) is False


class _Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_every_key_a_run_writes_expires(watcher, conn: Redis, run_worker, run_notifier):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = watcher(notify={"webhook_url": f"http://127.0.0.1:{server.server_port}/",
                                 "webhook_secret": "a-test-secret-of-some-length"})
        (config.paths.inbox / "normal" / "good.png").write_bytes(corpus("paperless-ngx/simple.png").read_bytes())
        (config.paths.inbox / "normal" / "bad.pdf").write_bytes(corpus("ocrmypdf/invalid.pdf").read_bytes())
        wait_for(lambda: len(status.list_tasks(conn)) == 2, what="both files to be queued")
        run_worker()
        run_notifier()  # the webhook jobs the worker queued
    finally:
        server.shutdown()

    states = sorted(r.state.value for r in status.list_tasks(conn))
    assert states == ["COMPLETED", "FAILED"]
    ours = [k.decode() for k in conn.scan_iter("docvault:*") if k.decode() != MARKER]
    assert {k.split(":")[1] for k in ours} >= {"task", "result", "tasks", "finished", "daemon"}
    assert [k for k in ours if conn.ttl(k) < 0] == []
    # RQ's own: each job and its results carry result_ttl / failure_ttl.
    jobs = [k.decode() for k in conn.scan_iter("rq:job:*")]
    assert len(jobs) == 4 and [k for k in jobs if conn.ttl(k) < 0] == []
    results = [k.decode() for k in conn.scan_iter("rq:results:*")]
    assert results and [k for k in results if conn.ttl(k) < 0] == []
