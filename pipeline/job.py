"""The job an RQ worker runs for one task: the stages in order, then the outbox.

RQ calls `run(task_id)`; the payload is the task id only. Everything else comes from the
task folder (the record of truth) and the config.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from rq import get_current_job
from rq.job import Job

from ingest import aside, status
from ingest.config import Config, PipelineSettings, load_config
from ingest.errors import DocVaultError
from ingest.status import TaskState, now_iso
from ingest.task import Task
from pipeline import categorize, detect, language, metadata, ocr, output, pages

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


def run(task_id: str) -> dict:
    """What RQ calls. Returns a short summary (the full result is in Redis and the outbox)."""
    config = load_config()
    job = get_current_job()
    assert job is not None, "pipeline.job.run is meant to be called by an RQ worker"
    task = Task.load(config.paths.tasks / task_id).with_attempt()
    task.save(config.paths.tasks)
    progress = Progress(job.connection, job, task.id, task.name, config.results.status_ttl)
    try:
        result = process_task(task, config, progress)
    except Exception as exc:  # noqa: BLE001 - every failure ends in the failed folder or a retry
        if _will_retry(exc, job):
            progress.set(TaskState.RETRYING, 0, f"attempt {task.attempts} failed, will retry: {_message(exc)}")
            log.warning("%s %s: attempt %d failed, will retry: %s", task.id, task.name, task.attempts, exc)
        else:
            job.retries_left = 0  # a final failure: RQ must not retry it behind our back
            fail_task(task, config, job.connection, exc)
        raise
    return {"task_id": task.id, "status": TaskState.COMPLETED.value, "json": result["outputs"]["json"]}


def _will_retry(exc: Exception, job: Job) -> bool:
    transient = not isinstance(exc, DocVaultError) or exc.transient
    return transient and job.should_retry


def _message(exc: Exception) -> str:
    if isinstance(exc, DocVaultError):
        return exc.message
    return f"unexpected error ({type(exc).__name__}: {exc}); the developers' details are in the error file"


class Progress:
    """The task's percent and message, in the status hash and in job.meta (for rq-dashboard).

    Without a connection (`docvault process`) it only logs.
    """

    def __init__(self, conn: Redis | None, job: Job | None, task_id: str, name: str, ttl: int) -> None:
        self.conn, self.job, self.task_id, self.name, self.ttl = conn, job, task_id, name, ttl

    def set(self, state: TaskState, percent: int, message: str, **fields: str) -> None:
        log.debug("%s %s: %d %% %s", self.task_id, self.name, percent, message)
        if self.conn is not None:
            status.set_state(self.conn, self.task_id, state, self.ttl, percent, message, **fields)
        if self.job is not None:
            self.job.meta.update({"progress": percent, "message": message, "state": state.value})
            self.job.save_meta()


@dataclass(frozen=True, slots=True)
class Document:
    kind: detect.Kind
    info: pages.DocumentInfo
    texts: list[ocr.PageText]
    page_records: list[dict]

    def to_dict(self, settings: PipelineSettings) -> dict:
        """The part of the result JSON that is about the document, not the task."""
        confidences = [t.confidence for t in self.texts if t.confidence is not None]
        return {
            "page_count": self.info.page_count,
            "languages": list(settings.languages),
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
    """detect -> pages -> ocr, one page at a time, with progress per page."""
    kind = detect.detect_kind(original)
    info = pages.inspect(original, kind, settings)
    progress.set(TaskState.PROCESSING, 10, f"loaded: {info.page_count} page(s)")
    texts: list[ocr.PageText] = []
    records = []
    for page in pages.render(original, kind, info, pages_dir, settings):
        if not texts:
            progress.set(TaskState.PROCESSING, 25, "converted")
        text = ocr.read_page(page, settings)
        texts.append(text)
        records.append({**text.to_dict(), "dpi": page.dpi, "dpi_assumed": page.dpi_assumed})
        percent = 25 + int(50 * len(texts) / info.page_count)
        progress.set(TaskState.PROCESSING, percent, f"page {len(texts)} of {info.page_count}")
    return Document(kind, info, texts, records)


def process_task(task: Task, config: Config, progress: Progress) -> dict:
    started = time.monotonic()
    started_at = now_iso()
    task_dir = task.folder(config.paths.tasks)
    progress.set(TaskState.PROCESSING, 5, "reading the file", started_at=started_at,
                 attempts=str(task.attempts))
    doc = read_document(task_dir / task.file_name, task_dir / "pages", config.pipeline, progress)
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
    outputs = output.plan_outputs(task, task_dir, config.paths.outbox, doc.kind, config.pipeline.outputs)
    record["finished_at"] = now_iso()
    record["processing_time"] = round(time.monotonic() - started, 3)
    final = output.write_outputs(outputs, task, task_dir, doc.kind, doc.texts, record)
    record["outputs"] = final.to_dict()
    if progress.conn is not None:
        status.store_result(progress.conn, task.id, record, config.results.result_ttl)
    progress.set(TaskState.COMPLETED, 100, "done", finished_at=record["finished_at"],
                 outputs=str(final.json))
    shutil.rmtree(task_dir, ignore_errors=True)
    log.info("%s %s: done, %d page(s) in %.1f s -> %s", task.id, task.name, doc.info.page_count,
             record["processing_time"], final.json.name)
    return record


def describe(doc: Document, config: Config, progress: Progress, folder: str | None) -> dict:
    """The document's part of the result JSON, with metadata (75-85 %) and category
    (85-95 %) read from the page texts. `folder` is the inbox subfolder, a category hint."""
    texts = [t.text for t in doc.texts]
    hint = language.FROM_TESSERACT.get(config.pipeline.languages[0])
    meta = metadata.extract(texts, language_hint=hint)
    progress.set(TaskState.PROCESSING, 85, "metadata extracted")
    found = categorize.categorize(texts, meta, config.categories, folder_hint=folder)
    for abandoned in found.abandoned:
        log.warning("%s %s: category rule %s abandoned: %s", progress.task_id, progress.name,
                    abandoned.key, abandoned.reason)
    progress.set(TaskState.PROCESSING, 95, f"filed as {found.category}")
    body = doc.to_dict(config.pipeline)
    body["metadata"].update(meta.to_dict())
    return {**body, "language": meta.language, "category": found.to_dict()}


def fail_task(task: Task, config: Config, conn: Redis, exc: Exception) -> Path:
    """The final failure: original and error sidecar to outbox/failed, status FAILED."""
    task_dir = task.folder(config.paths.tasks)
    error = aside.error_record(task.id, task.name, exc, _message(exc), task.attempts)
    sidecar = aside.set_aside(task_dir / task.file_name, task.file_name, config.paths.failed, error)
    status.set_state(conn, task.id, TaskState.FAILED, config.results.status_ttl, 100,
                     error["message"], finished_at=error["failed_at"], outputs=str(sidecar))
    shutil.rmtree(task_dir, ignore_errors=True)
    log.error("%s %s: failed: %s", task.id, task.name, error["message"])
    return sidecar
