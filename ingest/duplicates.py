"""Files whose content (sha256) was claimed before: `ingest.duplicates` says whether they
are processed as usual, processed and flagged, or set aside in outbox/duplicates."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from redis import Redis

from docvault.core import sidecars as aside, status
from docvault.core.config import Config, DuplicateMode
from docvault.core.task import Task

log = logging.getLogger(__name__)


def mark(conn: Redis, task: Task, config: Config) -> Task:
    """Record the task's content; unless duplicates are simply processed, name the
    earlier task with the same content in the manifest."""
    earlier = status.first_with_content(conn, task.sha256, task.id)
    if earlier is None or config.ingest.duplicates is DuplicateMode.PROCESS:
        return task
    log.info("%s %s: same content as task %s", task.id, task.name, earlier)
    task = replace(task, duplicate_of=earlier)
    task.save(config.paths.tasks)
    return task


def is_skipped(task: Task, config: Config) -> bool:
    return task.duplicate_of is not None and config.ingest.duplicates is DuplicateMode.SKIP


def set_aside(conn: Redis, task: Task, config: Config) -> Path:
    """Move the file to outbox/duplicates beside `<name>.duplicate.json`."""
    earlier = status.get_status(conn, task.duplicate_of or "")
    earlier_name = earlier.fields.get("name", "") if earlier else ""
    message = (f"{task.name} has the same content as {earlier_name or 'a file'} "
               f"(task {task.duplicate_of}) dropped before; it was not processed again")
    record = {
        "schema_version": aside.ERROR_SCHEMA_VERSION,
        "task_id": task.id,
        "name": task.name,
        "reason": "duplicate",
        "message": message,
        "duplicate_of": task.duplicate_of,
        "sha256": task.sha256,
        "skipped_at": status.now_iso(),
    }
    sidecar = aside.set_aside(task.original(config.paths.tasks), task.file_name,
                              config.paths.duplicates, record, kind="duplicate")
    status.set_state(conn, task.id, status.TaskState.SKIPPED, config.results.status_ttl, 100, message,
                     name=task.name, priority=task.priority, sha256=task.sha256, outputs={"duplicate": str(sidecar)})
    log.info("%s %s: skipped as a duplicate of task %s -> %s", task.id, task.name,
             task.duplicate_of, sidecar.name)
    return sidecar
