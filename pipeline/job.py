"""The job an RQ worker runs for one task: the stages in order, then the outbox.

RQ calls `run(task_id)`; the payload is the task id only. Everything else comes from the
task folder (the record of truth) and the config.
"""

from __future__ import annotations

import glob
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import get_current_job
from rq.job import Job

from ingest import aside, durable, spool, status, webhook
from ingest.config import Config, PipelineSettings, load_config
from ingest.errors import DocVaultError, TaskFailed, WorkerLost
from ingest.status import TaskState, now_iso
from ingest.task import MANIFEST, Task
from pipeline import categorize, detect, language, metadata, ocr, output, pages, parallel

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
REDIS_PATIENCE_SECONDS = 30  # the final status writes wait this long for Redis to return
FAILURE = "failure.json"  # in the task folder: a final failure under way


def run(task_id: str) -> dict:
    """What RQ calls. Returns a short summary (the full result is in Redis and the outbox).

    Whatever RQ stores about the job (its result, the exception of a failure) names the
    task id only: rq-dashboard shows it unescaped, and file names can hold markup.
    """
    config = load_config()
    job = get_current_job()
    assert job is not None, "pipeline.job.run is meant to be called by an RQ worker"
    folder = config.paths.tasks / task_id
    if not (folder / MANIFEST).exists():  # finished already, by a run RQ lost track of
        log.warning("%s: no task folder; it was finished already", task_id)
        return {"task_id": task_id, "status": "gone"}
    task = Task.load(folder).with_attempt()
    task.save(config.paths.tasks)
    progress = Progress(job.connection, job, task.id, task.name, config.results.status_ttl)
    try:
        if (folder / FAILURE).exists():
            raise WorkerLost(f"{task.name} failed; the worker stopped while moving it to outbox/failed")
        if task.attempts > config.worker.max_retries + 1:
            lost = task.attempts - 1 - int(job.meta.get("failed_attempts", 0))
            raise WorkerLost(f"the OCR worker stopped {lost} time(s) while reading {task.name} "
                             "(out of memory, or switched off?); try a smaller scan or a lower "
                             "pipeline.dpi")
        written = output.written_record(task, folder, config.paths.outbox)
        if written is not None:
            log.info("%s %s: outputs written by an earlier attempt; finishing it", task.id, task.name)
            complete_task(task, config, progress, written)
        else:
            process_task(task, config, progress, worker=job.worker_name or "")
    except Exception as exc:  # noqa: BLE001 - every failure ends in the failed folder or a retry
        if _will_retry(exc, job):
            job.meta["failed_attempts"] = int(job.meta.get("failed_attempts", 0)) + 1
            progress.set(TaskState.RETRYING, 0, f"attempt {task.attempts} failed, will retry: {_message(exc)}")
            log.warning("%s %s: attempt %d failed, will retry: %s", task.id, task.name, task.attempts,
                        exc, exc_info=not isinstance(exc, DocVaultError))
        else:
            job.retries_left = 0  # a final failure: RQ must not retry it behind our back
            fail_task(task, config, job.connection, exc)
        reason = exc.reason if isinstance(exc, DocVaultError) else type(exc).__name__
        raise TaskFailed(f"task {task.id}: attempt {task.attempts} failed ({reason})") from None
    return {"task_id": task.id, "status": TaskState.COMPLETED.value}


def _will_retry(exc: Exception, job: Job) -> bool:
    transient = not isinstance(exc, DocVaultError) or exc.transient
    return transient and job.should_retry


def _message(exc: Exception) -> str:
    if isinstance(exc, DocVaultError):
        return exc.message
    return f"unexpected error ({type(exc).__name__}: {exc}); the developers' details are in the error file"


class Progress:
    """The task's percent and message, in the status hash and in job.meta (for rq-dashboard).

    Without a connection (`docvault process`) it only logs. A status write that fails
    (Redis away for a moment) is logged and skipped: the outputs on disk are what count,
    and the next write brings the record up to date.
    """

    def __init__(self, conn: Redis | None, job: Job | None, task_id: str, name: str, ttl: int) -> None:
        self.conn, self.job, self.task_id, self.name, self.ttl = conn, job, task_id, name, ttl

    def set(self, state: TaskState, percent: int, message: str, must: bool = False, **fields: str) -> None:
        """Record progress; `must`: wait out a short Redis outage, then raise."""
        log.debug("%s %s: %d %% %s", self.task_id, self.name, percent, message)

        def write() -> None:
            if self.conn is not None:
                status.set_state(self.conn, self.task_id, state, self.ttl, percent, message, **fields)
            if self.job is not None:
                # Numbers and the state only: the dashboard shows meta unescaped.
                self.job.meta.update({"progress": percent, "state": state.value})
                self.job.save_meta()

        if must:
            _patiently(write)
            return
        try:
            write()
        except RedisError as exc:
            log.warning("%s %s: status not recorded (%s): %d %% %s", self.task_id, self.name, exc,
                        percent, message)


def _patiently(write: Callable[[], object]) -> None:
    """Retry a Redis write through an outage of up to REDIS_PATIENCE_SECONDS (a restart)."""
    deadline = time.monotonic() + REDIS_PATIENCE_SECONDS
    while True:
        try:
            write()
            return
        except RedisError as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("Redis unavailable (%s); trying again", exc)
            time.sleep(1)


@dataclass(frozen=True, slots=True)
class Document:
    kind: detect.Kind
    info: pages.DocumentInfo
    texts: list[ocr.PageText]
    page_records: list[dict]
    languages: tuple[str, ...]

    def to_dict(self) -> dict:
        """The part of the result JSON that is about the document, not the task."""
        confidences = [t.confidence for t in self.texts if t.confidence is not None]
        return {
            "page_count": self.info.page_count,
            "languages": list(self.languages),
            "confidence": round(sum(confidences) / len(confidences), 2) if confidences else None,
            "text": "\f".join(t.text for t in self.texts),
            "pages": self.page_records,
            "metadata": {
                "page_count": self.info.page_count,
                "mime_type": self.kind.value,
                **({"pdf_info": self.info.pdf_info} if self.info.pdf_info else {}),
            },
        }


def read_document(original: Path, pages_dir: Path, settings: PipelineSettings, progress: Progress) -> Document:
    """detect -> pages -> ocr, page by page (on several cores when they are idle), with
    progress per page."""
    kind = detect.detect_kind(original)
    info = pages.inspect(original, kind, settings)
    workers = parallel.worker_count(settings, progress.conn, info.page_count)
    progress.set(TaskState.PROCESSING, 10, f"loaded: {info.page_count} page(s)")
    log.info("%s %s: %d page(s), %d at a time, languages %s", progress.task_id, progress.name,
             info.page_count, workers, settings.lang)

    def read(number: int) -> tuple[ocr.PageText, pages.Page]:
        page = pages.render_page(original, info, number, pages_dir, settings)
        try:
            return ocr.read_page(page, settings), page
        finally:  # the page's image is done with; its searchable PDF stays
            for image in pages_dir.glob(f"page-{number:04d}.*"):
                if image.suffix in pages.IMAGE_SUFFIXES:
                    image.unlink()

    texts: list[ocr.PageText] = []
    records = []
    for text, page in parallel.map_ordered(read, range(1, info.page_count + 1), workers):
        texts.append(text)
        records.append({**text.to_dict(), "dpi": page.dpi, "dpi_assumed": page.dpi_assumed})
        percent = 25 + int(50 * len(texts) / info.page_count)
        progress.set(TaskState.PROCESSING, percent, f"page {len(texts)} of {info.page_count}")
    return Document(kind, info, texts, records, settings.languages)


def process_task(task: Task, config: Config, progress: Progress, worker: str = "") -> dict:
    started = time.monotonic()
    started_at = now_iso()
    task_dir = task.folder(config.paths.tasks)
    progress.set(TaskState.PROCESSING, 5, "reading the file", started_at=started_at,
                 attempts=str(task.attempts), worker=worker, finished_at="")
    settings = config.pipeline.for_task(task.priority, task.relpath, task.language)
    doc = read_document(task_dir / task.file_name, task_dir / "pages", settings, progress)
    body = describe(doc, config, progress, folder=task.relpath.split("/")[0] if task.relpath else None)
    body["metadata"].update(size=task.size, sha256=task.sha256)
    record = {
        "schema_version": SCHEMA_VERSION,
        "task_id": task.id,
        "status": TaskState.COMPLETED.value,
        "source": {
            "name": task.name,
            "priority": task.priority,
            "batch": task.batch,
            "path": task.relpath,
            "sha256": task.sha256,
            "size": task.size,
            "duplicate_of": task.duplicate_of,
        },
        **body,
        "attempts": task.attempts,
        "created_at": task.created_at,
        "started_at": started_at,
    }
    record["finished_at"] = now_iso()
    record["processing_time"] = round(time.monotonic() - started, 3)
    with durable.locked(config.paths.names_lock):  # no other worker takes the same name meanwhile
        outputs = output.plan_outputs(task, task_dir, config.paths.outbox, doc.kind, config.pipeline.outputs)
        final = output.write_outputs(outputs, task, task_dir, doc.kind, doc.texts, record)
    record["outputs"] = final.to_dict()
    complete_task(task, config, progress, record)
    return record


def complete_task(task: Task, config: Config, progress: Progress, record: dict) -> None:
    """The outputs are in the outbox: Redis learns it, then the task folder goes.

    These writes wait out a short Redis outage; if Redis stays away the attempt fails
    and the next one finds the outputs written and only does this.
    """
    if progress.conn is not None:
        conn = progress.conn
        _patiently(lambda: status.store_result(conn, task.id, record, config.results.result_ttl))
    progress.set(TaskState.COMPLETED, 100, "done", must=True, finished_at=record["finished_at"],
                 outputs=record["outputs"], pages=str(record["page_count"]),
                 processing_time=str(record["processing_time"]))
    shutil.rmtree(task.folder(config.paths.tasks), ignore_errors=True)
    if progress.conn is not None:
        _finished(progress.conn, config, task.id, TaskState.COMPLETED, record["processing_time"],
                  record["page_count"])
    log.info("%s %s: done, %d page(s) in %.1f s -> %s", task.id, task.name, record["page_count"],
             record["processing_time"], Path(record["outputs"]["json"]).name)


def describe(doc: Document, config: Config, progress: Progress, folder: str | None) -> dict:
    """The document's part of the result JSON, with metadata (75-85 %) and category
    (85-95 %) read from the page texts. `folder` is the inbox subfolder, a category hint."""
    texts = [t.text for t in doc.texts]
    hint = language.FROM_TESSERACT.get(doc.languages[0])
    meta = metadata.extract(texts, language_hint=hint)
    progress.set(TaskState.PROCESSING, 85, "metadata extracted")
    found = categorize.categorize(texts, meta, config.categories, folder_hint=folder)
    for abandoned in found.abandoned:
        log.warning("%s %s: category rule %s abandoned: %s", progress.task_id, progress.name,
                    abandoned.key, abandoned.reason)
    progress.set(TaskState.PROCESSING, 95, f"filed as {found.category}")
    body = doc.to_dict()
    body["metadata"].update(meta.to_dict())
    return {**body, "language": meta.language, "category": found.to_dict()}


def fail_task(task: Task, config: Config, conn: Redis, exc: Exception) -> Path:
    """The final failure: original and error sidecar to outbox/failed, status FAILED."""
    task_dir = task.folder(config.paths.tasks)
    error = _failure_record(task, task_dir, exc)
    _take_back(task, task_dir, config.paths.failed)
    with durable.locked(config.paths.names_lock):
        sidecar = aside.set_aside(task_dir / task.file_name, task.file_name, config.paths.failed, error)
    original = sidecar.with_name(sidecar.name.removesuffix(".error.json"))
    status.set_state(conn, task.id, TaskState.FAILED, config.results.status_ttl, 100,
                     error["message"], finished_at=error["failed_at"], attempts=str(task.attempts),
                     reason=error["reason"],
                     outputs={"error": str(sidecar), "original": str(original)})
    shutil.rmtree(task_dir, ignore_errors=True)
    log.error("%s %s: failed: %s", task.id, task.name, error["message"])
    _finished(conn, config, task.id, TaskState.FAILED, 0.0, 0)
    return sidecar


def _failure_record(task: Task, task_dir: Path, exc: Exception) -> dict:
    """The error file's record, saved in the task folder before anything moves: a failure
    cut off half-way (the worker killed) is finished by the next run with this record."""
    saved = task_dir / FAILURE
    if saved.exists():
        return json.loads(saved.read_text(encoding="utf-8"))
    error = {**aside.error_record(task.id, task.name, exc, _message(exc), task.attempts),
             "priority": task.priority, "batch": task.batch, "relpath": task.relpath}
    durable.write_bytes(saved, json.dumps(error, ensure_ascii=False).encode("utf-8"))
    return error


def _take_back(task: Task, task_dir: Path, failed_dir: Path) -> None:
    """A run killed after moving the original to outbox/failed but before its error file
    left it there alone: bring it back, so that it gets its error file under its name."""
    original = Path(task.file_name)
    if (task_dir / original.name).exists() or not failed_dir.exists():
        return
    for candidate in sorted(failed_dir.glob(f"{glob.escape(original.stem)}*{glob.escape(original.suffix)}")):
        if (not candidate.with_name(f"{candidate.name}.error.json").exists()
                and spool.sha256_of(candidate) == task.sha256):
            durable.move(candidate, task_dir / original.name)
            return


def _finished(conn: Redis, config: Config, task_id: str, state: TaskState, seconds: float, pages: int) -> None:
    """For the stats, and the webhook; neither may fail a task that is done."""
    try:
        status.record_finished(conn, status.Finished(task_id, state, time.time(), seconds, pages))
    except RedisError as exc:
        log.warning("%s: not counted in the stats (Redis: %s)", task_id, exc)
    webhook.schedule(conn, config, task_id)
