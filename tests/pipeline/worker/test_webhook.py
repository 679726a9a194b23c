"""pipeline/worker/webhook.py: signed POSTs to a receiver the test runs on loopback, delivered by
the real notifier process; a failing or silent receiver is retried, never fails the task,
and never costs an OCR worker a second."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer

from docvault.core import jobs, status
from docvault.core.errors import ConfigError
from docvault.core.status import TaskState
from pipeline.worker import webhook
from tests.conftest import corpus, docvault

SECRET = "shared-secret-of-the-receiver"
XSS = "<img src=x onerror=alert(1)>"


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
        self.send_response(code, XSS)  # a hostile reason phrase
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


@pytest.fixture
def silent_receiver() -> Iterator[tuple[str, list[socket.socket]]]:
    """Accepts every connection and never answers a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook", accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_signature_carries_a_timestamp_and_a_replay_is_refused():
    body = b'{"task_id": "x"}'
    header = webhook.sign(SECRET, body, 1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert webhook.verify(SECRET, header, body, now=1_700_000_000 + 60)
    assert not webhook.verify(SECRET, header, body, now=1_700_000_000 + 3600)  # replayed an hour later
    assert not webhook.verify(SECRET, header, body + b" ", now=1_700_000_000)
    assert not webhook.verify("another secret", header, body, now=1_700_000_000)
    assert not webhook.verify(SECRET, "sha256=" + expected, body, now=1_700_000_000)


def test_an_empty_secret_is_refused(make_config, receiver):
    with pytest.raises(ConfigError, match="notify.webhook_secret"):
        make_config(notify={"webhook_url": receiver.url})
    refused = docvault("notifier", "--burst", check=False)
    assert refused.returncode == 2 and "NOTIFY_WEBHOOK_SECRET" in refused.stderr


@pytest.mark.parametrize("receiver", [[500]], indirect=True)
def test_completion_is_posted_signed_and_retried_after_an_error(make_config, conn, submit, run_worker,
                                                                run_notifier, receiver):
    config = make_config(notify={"webhook_url": receiver.url, "webhook_secret": SECRET, "retry_delays": [0]})
    task = submit(config, corpus("paperless-ngx/simple.png"))

    run_worker()  # the OCR task; its webhook waits for the notifier
    assert receiver.posts == []
    run_notifier()  # the webhook (500), then the retry (200)

    assert [code for _, _, code in receiver.posts] == [500, 200]
    headers, body, _ = receiver.posts[-1]
    assert webhook.verify(SECRET, headers[webhook.SIGNATURE_HEADER], body)
    summary = json.loads(body)
    assert summary["task_id"] == task.id and summary["status"] == "COMPLETED"
    assert summary["name"] == "simple.png" and summary["outputs"]["json"] == "simple.json"  # in the outbox


def test_failure_is_posted_too(make_config, conn, submit, run_worker, run_notifier, receiver):
    config = make_config(notify={"webhook_url": receiver.url, "webhook_secret": SECRET})
    task = submit(config, corpus("ocrmypdf/invalid.pdf"))

    run_worker()
    run_notifier()

    (headers, body, _), = receiver.posts
    summary = json.loads(body)
    assert summary["task_id"] == task.id and summary["status"] == "FAILED"
    assert "damaged" in summary["message"]
    assert summary["outputs"]["error"] == "failed/invalid.pdf.error.json"


@pytest.mark.parametrize("receiver", [[502]], indirect=True)
def test_the_receivers_reason_phrase_never_reaches_the_job(make_config, conn, submit, run_worker,
                                                         run_notifier, receiver):
    config = make_config(notify={"webhook_url": receiver.url, "webhook_secret": SECRET, "retry_delays": []})
    submit(config, corpus("paperless-ngx/simple.png"))
    run_worker()
    run_notifier()

    (job_id,) = jobs.notify_queue(conn).failed_job_registry.get_job_ids()
    job = Job.fetch(job_id, connection=conn, serializer=JSONSerializer)
    error = job.latest_result().exc_string
    stored = json.dumps([error, job.description, job.meta, job.return_value()])
    assert "HTTP 502" in error
    assert "<img" not in stored and "onerror" not in stored


def test_a_silent_receiver_never_holds_up_ocr_nor_fails_the_task(make_config, conn, submit, run_worker,
                                                                  run_notifier, silent_receiver):
    url, accepted = silent_receiver
    config = make_config(notify={"webhook_url": url, "webhook_secret": SECRET, "retry_delays": [0],
                                 "timeout_seconds": 1})
    task = submit(config, corpus("paperless-ngx/simple.png"))

    run_worker()  # returns with the webhook still queued: the OCR worker never touches it

    assert status.get_status(conn, task.id).state is TaskState.COMPLETED
    assert jobs.notify_queue(conn).count == 1 and accepted == []
    run_notifier()
    assert len(accepted) == 2  # the POST and its one retry, each cut off after 1 s
    (job_id,) = jobs.notify_queue(conn).failed_job_registry.get_job_ids()  # given up, on its own queue
    job = Job.fetch(job_id, connection=conn, serializer=JSONSerializer)
    assert "did not answer within 1 s" in job.latest_result().exc_string


def test_a_webhook_queued_by_the_previous_release_still_runs(make_config, conn, run_notifier, receiver):
    """Jobs name their function by path; a job queued before the package move names
    `ingest.webhook.deliver`, which the worker resolves to today's path."""
    config = make_config(notify={"webhook_url": receiver.url, "webhook_secret": SECRET})
    status.set_state(conn, config.results, "20261201-120000-0000abcd", status.TaskState.COMPLETED,
                     message="done", name="old.pdf")
    old = Queue("notify", connection=conn, serializer=JSONSerializer)  # as the old release built it
    job = old.enqueue("ingest.webhook.deliver", "20261201-120000-0000abcd")
    assert "ingest.webhook.deliver" in jobs.LEGACY_FUNCTIONS

    run_notifier()

    assert job.get_status(refresh=True) == "finished"
    assert [json.loads(body)["task_id"] for _, body, _ in receiver.posts] == ["20261201-120000-0000abcd"]
