"""Files whose content (sha256) was claimed before: `ingest.duplicates` says whether they
are processed as usual, processed and flagged, or set aside in outbox/duplicates."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from redis import Redis

from docvault.core import sidecars, status
from docvault.core.config import Config, DuplicateMode
from docvault.core.task import Task

log = logging.getLogger(__name__)


def mark(conn: Redis, task: Task, config: Config, replaces: str | None = None) -> Task:
    """Record the task's content; unless duplicates are simply processed, name the
    earlier task with the same content in the manifest. A retry `replaces` its failed
    task, whose content is not an earlier copy."""
    earlier = status.first_with_content(conn, task.sha256, task.id, replaces)
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
    record = sidecars.DuplicateSidecar(task_id=task.id, name=task.name, message=message,
                                       duplicate_of=task.duplicate_of or "", sha256=task.sha256,
                                       skipped_at=status.now_iso())
    sidecar = sidecars.set_aside(task.original(config.paths.tasks), task.file_name,
                                 config.paths.duplicates, record)
    status.set_state(conn, config.results, task.id, status.TaskState.SKIPPED, message=message,
                     name=task.name, priority=task.priority, sha256=task.sha256,
                     outputs={"duplicate": config.paths.in_outbox(sidecar)})
    log.info("%s %s: skipped as a duplicate of task %s -> %s", task.id, task.name,
             task.duplicate_of, sidecar.name)
    return sidecar
