"""One task from its folder to the outbox: read, describe, write, complete. The flow."""

from __future__ import annotations

import logging
import socket
import time

from docvault.core.config import Config
from docvault.core.names_lock import choosing_names
from docvault.core.status import TaskState, now_iso
from docvault.core.task import PAGES, Task
from pipeline import categorize, metadata, output
from pipeline.finish import complete_task
from pipeline.metadata import language
from pipeline.progress import Progress
from pipeline.read import Document, read_document
from pipeline.result import Source, TaskResult

log = logging.getLogger(__name__)


def process_task(task: Task, config: Config, progress: Progress, worker: str = "",
                 busy_elsewhere: int = 0) -> TaskResult:
    started = time.monotonic()
    started_at = now_iso()
    task_dir = task.folder(config.paths.tasks)
    progress.set(TaskState.PROCESSING, 5, "reading the file", started_at=started_at,
                 attempts=str(task.attempts), worker=worker, host=socket.gethostname(),
                 finished_at="")
    settings = config.pipeline.for_task(task.priority, task.relpath, task.language)
    doc = read_document(task.regular_original(config.paths.tasks), task_dir / PAGES, settings, progress, busy_elsewhere)
    body = describe(doc, config, progress, folder=task.relpath.split("/")[0] if task.relpath else None)
    body["metadata"].update(size=task.size, sha256=task.sha256)
    result = TaskResult(
        task_id=task.id,
        source=Source.of(task),
        document=body,
        attempts=task.attempts,
        created_at=task.created_at,
        started_at=started_at,
        finished_at=now_iso(),
        processing_time=round(time.monotonic() - started, 3),
    )
    with choosing_names(config.paths.names_lock, progress.conn):  # no other worker takes the same name
        outputs = output.plan_outputs(task, task_dir, config.paths.outbox, doc.kind, config.output.files)
        final = output.write_outputs(outputs, task, task_dir, doc.kind, doc.texts, result,
                                     config.output.pdf_type)
    result = result.with_outputs(final.to_dict(config.paths.outbox))
    complete_task(task, config, progress, result)
    return result


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
