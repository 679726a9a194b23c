"""The HTTP API the DocVault backend calls: the same way in as a dropped file.

An upload is streamed into the work folder, checked by content, claimed with
`spool.start_claim` and admitted through `ingest.intake.Intake` (sha256, duplicates,
batch, queue): the same task manifest, the same queue, the same status store as the
watched folders. No name or path from the
client is ever used as a path, and no traceback ever reaches a client.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from flask import Flask, Request, g, jsonify, request
from redis import Redis
from redis.exceptions import RedisError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException

from docvault import stats
from docvault.core import outbox, status
from docvault.core.config import PRIORITIES, Config
from docvault.core.errors import ConfigError
from docvault.core.filetype import HEAD_BYTES, sniff
from docvault.core.status import TaskState
from docvault.core.task import LANGUAGE, Task, is_batch_id, is_task_id, new_task_id
from docvault.web.openapi import SPEC
from docvault.web.serving import is_loopback, refuse_weak_secrets
from docvault.web.serving import serve as serve_app
from ingest import batch, spool
from ingest.intake import Intake

log = logging.getLogger(__name__)

UPLOADS = "uploads"  # below the work folder, so claiming an upload is a rename
UPLOAD_PREFIX = ".upload-"


class ApiError(Exception):
    def __init__(self, status_code: int, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status_code, self.code, self.message, self.extra = status_code, code, message, extra


class _UploadRequest(Request):
    """Streams file parts straight into work/uploads/ instead of memory or /tmp, created
    as any file of the appliance (the process's umask, UMASK in the container)."""

    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None) -> IO[bytes]:
        folder = Path(g.uploads_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stream = open(folder / f"{UPLOAD_PREFIX}{secrets.token_hex(8)}", "x+b")  # noqa: SIM115 - Flask closes it
        g.upload_files.append(stream.name)
        return stream


def create_app(config: Config, conn: Redis) -> Flask:
    app = Flask("docvault")
    app.request_class = _UploadRequest
    app.config["MAX_CONTENT_LENGTH"] = config.api.max_upload_bytes
    key = config.api.key.encode()
    intake = Intake(conn, config)

    def admit(path: Path, name: str, priority: str, language: str | None, batch_id: str | None = None) -> Task:
        task = spool.start_claim(path, new_task_id(), priority, config.paths.tasks, batch_id,
                                 name=name, language=language)
        task = intake.finish(task)
        log.info("%s %s: received over HTTP%s", task.id, task.name, f" (batch {batch_id})" if batch_id else "")
        return task

    @app.before_request
    def _authenticate() -> None:
        g.uploads_dir = str(config.paths.work / UPLOADS)
        g.upload_files = []
        if request.path != "/healthz" and not key_matches(request.headers.get("X-API-Key", ""), key):
            raise ApiError(401, "unauthorized", "a valid X-API-Key header is required")

    @app.teardown_request
    def _drop_unclaimed_uploads(_exc: BaseException | None) -> None:
        for name in getattr(g, "upload_files", []):
            if os.path.exists(name):
                os.unlink(name)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error=exc.code, message=exc.message, **exc.extra), exc.status_code

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = re.sub(r"[^a-z]+", "_", (exc.name or "error").lower()).strip("_")
        message = exc.description
        if exc.code == 413:
            size = request.content_length
            message = (f"the upload is larger than the limit of {config.api.max_upload_mb:g} MiB "
                       "(api.max_upload_mb)" if size is None or size > config.api.max_upload_bytes else
                       f"the upload has more than {request.max_form_parts} parts (files and fields); "
                       "send fewer files at once")
        return jsonify(error=code, message=message), exc.code

    @app.errorhandler(RedisError)
    def _redis_down(exc: RedisError):
        log.error("Redis unavailable: %s", exc)
        return jsonify(error="unavailable", message="the queue (Redis) is not reachable; try again shortly"), 503

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        log.exception("internal error on %s %s", request.method, request.path)
        return jsonify(error="internal", message="internal error; the details are in the API's log"), 500

    @app.get("/healthz")
    def healthz():
        conn.ping()
        return jsonify(status="ok")

    @app.get("/api/v1/openapi.json")
    def openapi():
        return jsonify(SPEC)

    @app.post("/api/v1/ocr/process")
    def process():
        priority, language = _options(config)
        upload = _uploads("file")[0]
        task = admit(_checked(upload), upload.filename or "upload", priority, language)
        state = intake.dispatch(task)
        if state is TaskState.FAILED:  # failed before it was queued: in outbox/failed now
            record = status.get_status(conn, task.id)
            raise ApiError(422, "task_failed", record.message if record else f"{task.name} could not be queued",
                           task_id=task.id, status=state.value)
        message = (f"{task.name} is queued ({priority} priority)" if state is TaskState.QUEUED else
                   f"{task.name} was processed before; set aside in outbox/duplicates (ingest.duplicates: skip)")
        return jsonify(task_id=task.id, status=state.value, message=message), 202

    @app.post("/api/v1/ocr/batch")
    def upload_batch():
        priority, language = _options(config)
        checked = [(_checked(upload), upload.filename or "upload") for upload in _uploads("files")]
        batch_id = batch.new_batch_id()
        tasks = [admit(path, name, priority, language, batch_id) for path, name in checked]
        for task in tasks:
            intake.dispatch(task)
        return jsonify(batch_id=batch_id, task_ids=[t.id for t in tasks], total=len(tasks),
                       message=f"{len(tasks)} file(s) queued ({priority} priority)"), 202

    @app.get("/api/v1/ocr/status/<task_id>")
    def task_status(task_id: str):
        record = _status(conn, task_id)
        return jsonify(task_id=task_id, status=record.state.value, progress=record.progress,
                       message=record.message, created_at=record.fields.get("created_at"),
                       updated_at=record.fields.get("updated_at"))

    @app.get("/api/v1/ocr/batch/<batch_id>")
    def batch_status(batch_id: str):
        totals = status.get_batch(conn, batch_id) if is_batch_id(batch_id) else None
        if totals is None:
            raise ApiError(404, "not_found", f"no batch {batch_id} (unknown, or expired)")
        counts = {state.value: totals.states.get(state.value, 0) for state in TaskState}
        return jsonify(batch_id=batch_id, total=totals.total, **counts)

    @app.get("/api/v1/ocr/result/<task_id>")
    def result(task_id: str):
        record = _status(conn, task_id)
        outputs = outbox.relative_outputs(record.outputs, config.paths.outbox)
        if record.state is TaskState.FAILED:
            raise ApiError(422, "task_failed", record.message, status=record.state.value,
                           error_file=outputs.get("error"))
        if record.state is not TaskState.COMPLETED:
            raise ApiError(409, "not_finished", f"the task is {record.state.value} ({record.progress} %)",
                           status=record.state.value, progress=record.progress)
        found = status.get_result(conn, task_id)
        if found is None:
            raise ApiError(410, "expired", "the result has expired from the cache; the JSON "
                           "sidecar stays in the outbox", outbox_json=outputs.get("json"))
        return jsonify({**found, "outputs": outbox.relative_outputs(found.get("outputs") or {}, config.paths.outbox)})

    @app.get("/api/v1/worker/stats")
    def worker_stats():
        return jsonify(stats.collect(conn).to_dict())

    return app


def _options(config: Config) -> tuple[str, str | None]:
    priority = request.form.get("priority", "normal")
    if priority not in PRIORITIES:
        raise ApiError(400, "bad_request", f"priority must be one of {', '.join(PRIORITIES)}")
    language = request.form.get("language") or None
    if language is not None and not LANGUAGE.fullmatch(language):
        raise ApiError(400, "bad_request", "language must be tesseract codes joined by '+', e.g. deu+eng")
    return priority, language


def _uploads(field: str) -> list[FileStorage]:
    files = [f for f in request.files.getlist(field) if f.filename is not None]
    if not files:
        raise ApiError(400, "bad_request", f"send the document as the multipart field '{field}'")
    return files


def _checked(upload: FileStorage) -> Path:
    """The upload's file on disk, flushed, after a check by content (415 if unreadable)."""
    stream = upload.stream
    stream.flush()
    os.fsync(stream.fileno())
    path = Path(stream.name)
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if sniff(head) is None:
        what = "is empty" if not head else "is not a PDF, PNG, JPEG, TIFF, BMP, GIF or WebP file"
        raise ApiError(415, "unsupported_media_type", f"the upload {what}")
    return path


def _status(conn: Redis, task_id: str) -> status.TaskStatus:
    record = status.get_status(conn, task_id) if is_task_id(task_id) else None
    if record is None:
        raise ApiError(404, "not_found", f"no task {task_id} (unknown, or its record expired)")
    return record


def key_matches(given: str, key: bytes) -> bool:
    """No key is configured, or `given` is it. Header values arrive as latin-1 text of
    their bytes: the bytes are compared (compare_digest refuses non-ASCII text)."""
    return not key or hmac.compare_digest(given.encode("latin-1", "replace"), key)


def refuses_body(config: Config) -> Callable[[Mapping[str, str]], bool]:
    """Which requests' bodies are refused on their headers alone, before a byte of the
    body is read: no valid key, or more bytes than api.max_upload_mb. The app then
    answers them (401, 413) without the body."""
    key = config.api.key.encode()

    def refuse(headers: Mapping[str, str]) -> bool:
        length = headers.get("CONTENT_LENGTH", "0")
        return not key_matches(headers.get("X_API_KEY", ""), key) or (
            length.isdigit() and int(length) > config.api.max_upload_bytes)

    return refuse


def drop_stale_uploads(work: Path) -> int:
    """Uploads cut off by a crash or a stop are never claimed: remove them at start."""
    stale = list((work / UPLOADS).glob(f"{UPLOAD_PREFIX}*"))
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def serve(config: Config, conn: Redis, host: str, port: int) -> None:
    if not is_loopback(host):
        if not config.api.key:
            raise ConfigError(f"the API listens beyond this machine ({host}) only with an API key: set "
                              "api.key (env API_KEY), or listen on 127.0.0.1")
    refuse_weak_secrets("the API", host, {"api.key (env API_KEY)": config.api.key,
                                          "the password in redis.url (REDIS_PASSWORD)": config.redis.password})
    dropped = drop_stale_uploads(config.paths.work)
    if dropped:
        log.info("removed %d partial upload(s) left by an earlier run", dropped)
    log.info("API on http://%s:%d/api/v1 (%s)", host, port,
             "X-API-Key required" if config.api.key else "no API key: loopback only")
    serve_app(create_app(config, conn), host, port, ident="docvault-api",
              max_body=config.api.max_upload_bytes, refuse=refuses_body(config))
