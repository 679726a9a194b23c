"""pipeline/worker/webhook.py: signed POSTs to a receiver the test runs on loopback, delivered by
real worker processes; a failing receiver is retried and never fails the task."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from docvault.core import jobs, status
from docvault.core.status import TaskState
from pipeline.worker import webhook
from tests.conftest import corpus

SECRET = "shared-secret"


class Receiver(http.server.HTTPServer):
    """Answers each POST with the next code of `codes` (200 when they run out)."""

    def __init__(self, codes: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.codes, self.posts = codes, []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hook"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        code = self.server.codes.pop(0) if self.server.codes else 200
        self.server.posts.append((self.headers, body, code))  # headers: case-insensitive
        self.send_response(code)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    server = Receiver(list(getattr(request, "param", [])))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_signature_is_hmac_sha256_of_the_body():
    body = b'{"task_id": "x"}'
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert webhook.sign(SECRET, body) == f"sha256={expected}"


@pytest.mark.parametrize("receiver", [[500]], indirect=True)
def test_completion_is_posted_signed_and_retried_after_an_error(make_config, conn, submit, run_worker, receiver):
    config = make_config(notify={"webhook_url": receiver.url, "webhook_secret": SECRET, "retry_delays": [0]})
    task = submit(config, corpus("paperless-ngx/simple.png"))

    run_worker()  # the OCR task, then its webhook (500), then the retry (200)

    assert [code for _, _, code in receiver.posts] == [500, 200]
    headers, body, _ = receiver.posts[-1]
    assert headers[webhook.SIGNATURE_HEADER] == webhook.sign(SECRET, body)
    summary = json.loads(body)
    assert summary["task_id"] == task.id and summary["status"] == "COMPLETED"
    assert summary["name"] == "simple.png" and summary["outputs"]["json"].endswith("simple.json")


def test_failure_is_posted_too(make_config, conn, submit, run_worker, receiver):
    config = make_config(notify={"webhook_url": receiver.url, "webhook_secret": SECRET})
    task = submit(config, corpus("ocrmypdf/invalid.pdf"))

    run_worker()

    (headers, body, _), = receiver.posts
    summary = json.loads(body)
    assert summary["task_id"] == task.id and summary["status"] == "FAILED"
    assert "damaged" in summary["message"]


def test_a_dead_receiver_never_fails_the_task(make_config, conn, submit, run_worker, receiver):
    url = receiver.url
    receiver.shutdown()
    receiver.server_close()  # nothing listens there now
    config = make_config(notify={"webhook_url": url, "retry_delays": [0]})
    task = submit(config, corpus("paperless-ngx/simple.png"))

    run_worker()

    assert status.get_status(conn, task.id).state is TaskState.COMPLETED
    failed = jobs.notify_queue(conn).failed_job_registry
    assert failed.count == 1  # given up after its retry, on its own queue


def test_a_webhook_queued_by_the_previous_release_still_runs(make_config, conn, run_worker, receiver):
    """Jobs name their function by path; a job queued before the package move names
    `ingest.webhook.deliver`, which the worker resolves to today's path."""
    config = make_config(notify={"webhook_url": receiver.url, "webhook_secret": SECRET})
    status.set_state(conn, config.results, "20261201-120000-0000abcd", status.TaskState.COMPLETED,
                     message="done", name="old.pdf")
    old = Queue("notify", connection=conn, serializer=JSONSerializer)  # as the old release built it
    job = old.enqueue("ingest.webhook.deliver", "20261201-120000-0000abcd")
    assert "ingest.webhook.deliver" in jobs.LEGACY_FUNCTIONS

    run_worker()

    assert job.get_status(refresh=True) == "finished"
    assert [json.loads(body)["task_id"] for _, body, _ in receiver.posts] == ["20261201-120000-0000abcd"]
