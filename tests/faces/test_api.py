"""The HTTP API over real HTTP: `docvault api` on loopback, real Redis, real worker
processes, responses checked against the served OpenAPI document."""

from __future__ import annotations

import http.client
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import schemathesis

from docvault.core import status
from docvault.core.task import Task
from tests.conftest import REPO, _free_port, bomb_tiff, corpus, job_started_at, wait_for

KEY = "test-key-123"
HEADERS = {"X-API-Key": KEY}


class Api:
    def __init__(self, base: str, config) -> None:
        self.base, self.config = base, config
        self.schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json", headers=HEADERS)

    def call(self, method: str, path: str, template: str | None = None, headers=HEADERS, **kw):
        response = requests.request(method, self.base + path, headers=headers, timeout=30, **kw)
        self.schema[template or path][method.upper()].validate_response(response)
        return response

    def upload(self, path: Path, name: str | None = None, **form: str):
        with open(path, "rb") as fh:
            return self.call("post", "/api/v1/ocr/process", files={"file": (name or path.name, fh)}, data=form)

    def status(self, task_id: str):
        return self.call("get", f"/api/v1/ocr/status/{task_id}", "/api/v1/ocr/status/{task_id}")

    def result(self, task_id: str):
        return self.call("get", f"/api/v1/ocr/result/{task_id}", "/api/v1/ocr/result/{task_id}")


@pytest.fixture
def api(make_config, monkeypatch) -> Iterator[Callable[..., Api]]:
    procs: list[subprocess.Popen] = []

    def start(key: str = KEY, umask: int = 0o022, before: Callable[..., None] | None = None,
              **sections: dict) -> Api:
        config = make_config(**sections)
        if before is not None:
            before(config)
        port = _free_port()
        env = dict(os.environ, API_KEY=key)
        proc = subprocess.Popen([sys.executable, "-m", "docvault.cli", "api", "--port", str(port)],
                                cwd=REPO, env=env, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: os.umask(umask))
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            assert proc.poll() is None, proc.stderr.read()
            try:
                return requests.get(f"{base}/healthz", timeout=1).ok
            except requests.ConnectionError:
                return False

        wait_for(healthy, timeout=20, what="the API to answer")
        return Api(base, config)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def test_image_and_pdf_upload_poll_and_result(api, run_worker):
    client = api()
    png = client.upload(corpus("paperless-ngx/simple.png"))
    pdf = client.upload(corpus("paperless-ngx/multi-page-digital.pdf"))
    assert png.status_code == 202 and pdf.status_code == 202
    assert png.json()["status"] == "QUEUED"
    png_id, pdf_id = png.json()["task_id"], pdf.json()["task_id"]
    assert client.status(png_id).json()["status"] == "QUEUED"
    not_yet = client.result(png_id)
    assert not_yet.status_code == 409 and not_yet.json()["error"] == "not_finished"

    run_worker()

    assert client.status(png_id).json()["progress"] == 100
    result = client.result(png_id).json()
    assert "This is a test document." in result["text"]
    assert result["page_count"] == 1
    pdf_result = client.result(pdf_id).json()
    assert pdf_result["page_count"] == 3
    assert [p["source"] for p in pdf_result["pages"]] == ["text-layer"] * 3


def test_batch_of_three(api, run_worker):
    client = api()
    files = [("files", (f"doc{n}.png", corpus("pytesseract/test_la.png").read_bytes())) for n in range(3)]
    accepted = client.call("post", "/api/v1/ocr/batch", files=files, data={"priority": "low"})
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["total"] == 3 and len(set(body["task_ids"])) == 3

    run_worker()

    totals = client.call("get", f"/api/v1/ocr/batch/{body['batch_id']}", "/api/v1/ocr/batch/{batch_id}").json()
    assert totals["total"] == 3 and totals["COMPLETED"] == 3


def test_priority_is_honoured(api, run_worker, conn):
    client = api()
    low = [client.upload(corpus("pytesseract/test_la.png"), priority="low").json()["task_id"] for _ in range(2)]
    high = client.upload(corpus("pytesseract/test_la.png"), priority="high").json()["task_id"]

    run_worker()

    assert all(job_started_at(conn, high) < job_started_at(conn, t) for t in low)


def test_language_is_used(api, run_worker):
    client = api()
    task_id = client.upload(corpus("paperless-ngx/simple.png"), language="deu+eng").json()["task_id"]
    run_worker()
    assert client.result(task_id).json()["languages"] == ["deu", "eng"]


def test_key_is_required_except_for_healthz(api):
    client = api()
    refused = client.call("get", "/api/v1/worker/stats", headers={})
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    wrong = client.call("get", "/api/v1/worker/stats", headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    foreign = client.call("get", "/api/v1/worker/stats", headers={"X-API-Key": "schlüssel"})
    assert foreign.status_code == 401  # non-ASCII: refused, not a 500
    assert client.call("get", "/healthz", headers={}).status_code == 200
    assert client.call("get", "/api/v1/worker/stats").json()["queued"] == {"high": 0, "normal": 0, "low": 0}


def test_refusals(api, tmp_path):
    client = api(api={"max_upload_mb": 0.05})
    big = tmp_path / "big.png"
    big.write_bytes(corpus("paperless-ngx/simple.png").read_bytes() + b"\0" * 100_000)
    too_big = client.upload(big)
    assert too_big.status_code == 413 and too_big.json()["error"] == "request_entity_too_large"
    text = tmp_path / "notes.pdf"
    text.write_text("just some words, not a PDF")
    unsupported = client.upload(text)
    assert unsupported.status_code == 415 and "not a PDF" in unsupported.json()["message"]
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    assert client.upload(empty).status_code == 415
    assert client.status("20260101-000000-deadbeef").status_code == 404
    assert client.call("post", "/api/v1/ocr/process", data={"priority": "low"}).status_code == 400
    bad_priority = client.upload(corpus("pytesseract/test_la.png"), priority="urgent")
    assert bad_priority.status_code == 400
    # nothing refused was kept: no task, no upload left behind
    assert not client.config.paths.tasks.exists() or not any(client.config.paths.tasks.iterdir())
    assert not any((client.config.paths.work / "uploads").iterdir())


def test_expired_result_is_410_with_the_sidecar(api, run_worker, conn):
    client = api()
    task_id = client.upload(corpus("pytesseract/test_la.png")).json()["task_id"]
    run_worker()
    conn.delete(status.result_key(task_id))  # what the 24 h TTL does
    gone = client.result(task_id)
    assert gone.status_code == 410
    assert gone.json()["outbox_json"] == "test_la.json"  # inside the outbox: no server path
    assert (client.config.paths.outbox / gone.json()["outbox_json"]).exists()


def test_dotdot_name_stays_inside_the_work_folder(api, tmp_path):
    client = api()
    accepted = client.upload(corpus("pytesseract/test_la.png"), name="../../../escape.png")
    assert accepted.status_code == 202
    task_dir = client.config.paths.tasks / accepted.json()["task_id"]
    (stored,) = [p for p in task_dir.iterdir() if p.name != "task.json"]
    assert "/" not in stored.name and not stored.name.startswith(".")
    assert Task.load(task_dir).name == "../../../escape.png"  # kept for people, never a path
    assert [p for p in tmp_path.rglob("*escape.png")] == [stored]


def test_refuses_lan_without_a_key(make_config):
    make_config()
    env = {k: v for k, v in os.environ.items() if k != "API_KEY"}
    proc = subprocess.run([sys.executable, "-m", "docvault.cli", "api", "--host", "0.0.0.0"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "api.key" in proc.stderr


def test_fuzzing_the_spec_finds_no_server_error(api, tmp_path):
    client = api()
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run", f"{client.base}/api/v1/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", "15", "--seed", "1", "-H", f"X-API-Key: {KEY}", "--request-timeout", "20"],
        capture_output=True, text=True, timeout=240, cwd=tmp_path,  # its cache stays out of the repo
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def _raw(client: Api, request: bytes) -> bytes:
    """Send `request` as it is on a socket and read the answer until the server closes;
    the body the headers announce is never sent."""
    host, port = client.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _announce(length: int, headers: str = "") -> bytes:
    return (f"POST /api/v1/ocr/process HTTP/1.1\r\nHost: api\r\n{headers}"
            f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n\r\n").encode()


def test_a_body_without_the_key_is_refused_before_it_is_read(api):
    """waitress used to read (and spool) the whole body first: here none is sent, and the
    answer comes anyway, so nothing of it was waited for."""
    client = api()
    answer = _raw(client, _announce(300 * 1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 401") and b'"unauthorized"' in answer
    assert not any((client.config.paths.work / "uploads").glob("*"))


def test_an_upload_over_the_limit_is_refused_before_it_is_read(api):
    client = api()
    answer = _raw(client, _announce(300 * 1024 * 1024, f"X-API-Key: {KEY}\r\n"))
    assert answer.startswith(b"HTTP/1.1 413") and b"larger than the limit of 200 MiB" in answer


def test_too_many_parts_have_their_own_message(api):
    client = api()
    fields = {f"field{n}": "x" for n in range(1001)}
    with open(corpus("pytesseract/test_la.png"), "rb") as fh:
        refused = client.call("post", "/api/v1/ocr/process", files={"file": ("a.png", fh)}, data=fields)
    assert refused.status_code == 413
    assert "more than 1000 parts" in refused.json()["message"] and "MiB" not in refused.json()["message"]


def test_the_task_id_check_refuses_a_raw_dotdot_path(api):
    """Sent as it is (http.client does not normalise it, as requests would), so the 404
    comes from the id check, not from routing."""
    client = api()
    host, port = client.base.removeprefix("http://").split(":")
    for task_id in ("..", "..%5C..%5Cetc%5Cpasswd", "20260101-000000-deadbeef%00"):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", f"/api/v1/ocr/result/{task_id}", headers=HEADERS)
        answer = conn.getresponse()
        body = answer.read().decode()
        assert answer.status == 404 and '"not_found"' in body and "no task" in body, task_id
        conn.close()


@pytest.mark.parametrize("umask", [0o002, 0o077])
def test_uploads_follow_the_umask(api, umask):
    client = api(umask=umask)
    task_id = client.upload(corpus("pytesseract/test_la.png")).json()["task_id"]
    (stored,) = [p for p in (client.config.paths.tasks / task_id).iterdir() if p.name != "task.json"]
    assert stat.S_IMODE(stored.stat().st_mode) == 0o666 & ~umask


def test_partial_uploads_of_an_earlier_run_are_removed_at_start(api):
    def leave_partial(config) -> None:
        uploads = config.paths.work / "uploads"
        uploads.mkdir(parents=True)
        (uploads / ".upload-0123456789abcdef").write_bytes(b"%PDF-1.7 cut off")

    client = api(before=leave_partial)
    assert list((client.config.paths.work / "uploads").iterdir()) == []


def test_result_names_outputs_inside_the_outbox(api, run_worker):
    client = api()
    task_id = client.upload(corpus("pytesseract/test_la.png")).json()["task_id"]
    bad_id = client.upload(corpus("ocrmypdf/invalid.pdf")).json()["task_id"]
    run_worker()
    outputs = client.result(task_id).json()["outputs"]
    assert outputs["json"] == "test_la.json" and outputs["original"] == "test_la.png"
    failed = client.result(bad_id)
    assert failed.status_code == 422 and failed.json()["error_file"] == "failed/invalid.pdf.error.json"
    assert str(client.config.paths.work.parent) not in failed.text


@pytest.mark.parametrize(("key", "why"), [("change-me-to-another-long-random-hex-string", "placeholder"),
                                          ("short-key", "shorter than 16 characters")])
def test_refuses_lan_with_a_placeholder_or_short_key(make_config, key, why):
    make_config()
    proc = subprocess.run([sys.executable, "-m", "docvault.cli", "api", "--host", "0.0.0.0"], cwd=REPO,
                          env=dict(os.environ, API_KEY=key), capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "api.key" in proc.stderr and why in proc.stderr


def test_refuses_lan_with_the_placeholder_redis_password(make_config):
    make_config()
    env = dict(os.environ, API_KEY="3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e",
               REDIS_URL="redis://:change-me-to-a-long-random-hex-string@127.0.0.1:6379/0")
    proc = subprocess.run([sys.executable, "-m", "docvault.cli", "api", "--host", "0.0.0.0"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "REDIS_PASSWORD" in proc.stderr and "placeholder" in proc.stderr
    assert "change-me-to-a-long" not in proc.stderr  # not even the refused password is shown


def test_a_duplicate_set_aside_is_answered_as_skipped(api):
    client = api(ingest={"duplicates": "skip"})
    first = client.upload(corpus("paperless-ngx/simple.png"))
    second = client.upload(corpus("paperless-ngx/simple.png"), name="again.png")
    assert first.json()["status"] == "QUEUED"
    assert second.status_code == 202 and second.json()["status"] == "SKIPPED"
    assert "outbox/duplicates" in second.json()["message"]
    assert client.status(second.json()["task_id"]).json()["status"] == "SKIPPED"
    assert (client.config.paths.outbox / "duplicates" / "again.png").exists()


def test_a_file_failing_before_it_is_queued_is_answered_422(make_config, conn, monkeypatch):
    """The error path (a file swapped for a link while it was hashed) in the app itself:
    the real intake fails the file into outbox/failed, and the answer says so."""
    from docvault.core.errors import UnsafeFile
    from docvault.web import api as web_api
    from ingest import spool

    def swapped(task, tasks_dir):
        raise UnsafeFile(f"{task.name} is a shortcut (symbolic link) and was not followed")

    config = make_config()
    monkeypatch.setattr(spool, "finish_claim", swapped)
    client = web_api.create_app(config, conn).test_client()
    with open(corpus("paperless-ngx/simple.png"), "rb") as fh:
        answer = client.post("/api/v1/ocr/process", data={"file": (fh, "simple.png")},
                             content_type="multipart/form-data")
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == "task_failed" and body["status"] == "FAILED"
    assert "symbolic link" in body["message"]
    assert status.get_status(conn, body["task_id"]).state.value == "FAILED"
    assert (config.paths.failed / "simple.png").exists()


def test_decompression_bomb_upload_is_queued_then_fails_that_file(api, run_worker, tmp_path):
    """A 122-byte TIFF declaring 20000 x 10000 pixels: the intake counts it as one page
    (Pillow refuses to open it), the worker refuses it with words, the API stays up."""
    client = api()
    bomb = tmp_path / "bomb.tif"
    bomb.write_bytes(bomb_tiff())
    answer = client.upload(bomb)
    assert answer.status_code == 202
    task_id = answer.json()["task_id"]
    assert client.status(task_id).json()["status"] == "QUEUED"

    run_worker()

    assert client.status(task_id).json()["status"] == "FAILED"
    failed = client.result(task_id)
    assert failed.status_code == 422 and "200 million pixels" in failed.json()["message"]
    assert client.upload(corpus("paperless-ngx/simple.png")).status_code == 202
