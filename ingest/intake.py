"""The one way a claimed file becomes a queued task, for the watched folders and the
HTTP API alike: sha256 and duplicate check, batch bookkeeping, then the queue (or
outbox/duplicates for a duplicate that is skipped).

Whatever goes wrong with one file on the way (an image that makes Pillow refuse it, a
file swapped for a link) fails that file: outbox/failed with its error file, status
FAILED. Only Redis being away, or the disk, is left to the daemon's reconcile to retry.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis
from redis.exceptions import RedisError

from docvault.core import durable, sidecars, status
from docvault.core.config import Config
from docvault.core.errors import DocVaultError, message_for
from docvault.core.names_lock import choosing_names
from docvault.core.status import TaskState
from docvault.core.task import Task
from ingest import duplicates, queue, spool

log = logging.getLogger(__name__)


class Intake:
    def __init__(self, conn: Redis, config: Config) -> None:
        self.conn, self.config = conn, config

    def finish(self, task: Task, replaces: str | None = None) -> Task:
        """Complete a claim: sha256 in the manifest, and whether the content came before.
        `replaces`: the failed task a retry stands in for."""
        with self._failing(task):
            task = spool.finish_claim(task, self.config.paths.tasks)
            return duplicates.mark(self.conn, task, self.config, replaces)
        return task  # failed: in outbox/failed now; dispatch finds its folder gone

    def dispatch(self, task: Task, replaces: str | None = None) -> TaskState:
        """Queue a claimed task, or set it aside when it is a duplicate to skip; return
        where it went (QUEUED, SKIPPED, or FAILED when this file could not be queued).

        Raises RedisError when Redis is away: the task folder stays, and the daemon's
        reconcile queues it when Redis is back.
        """
        if not task.folder(self.config.paths.tasks).exists():
            return TaskState.FAILED
        with self._failing(task):
            if task.batch:
                name = task.relpath.split("/")[0] if task.relpath else "upload"
                status.add_to_batch(self.conn, task.batch, task.id, name, task.priority,
                                    self.config.results.status_ttl, replaces)
            if duplicates.is_skipped(task, self.config):
                with durable.locked(self.config.paths.names_lock):
                    duplicates.set_aside(self.conn, task, self.config)
                shutil.rmtree(task.folder(self.config.paths.tasks))
                return TaskState.SKIPPED
            queue.enqueue_task(self.conn, task, self.config)
            return TaskState.QUEUED
        return TaskState.FAILED

    @contextmanager
    def _failing(self, task: Task) -> Iterator[None]:
        """Anything but Redis or the disk going wrong inside fails this one file."""
        try:
            yield
        except (RedisError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 - about this file: it fails, nothing else does
            self.fail(task, exc)

    def fail(self, task: Task, exc: Exception) -> None:
        """Move the task's file to outbox/failed beside its error file, status FAILED."""
        record = sidecars.ErrorSidecar.from_exception(task.id, task.name, exc, task.attempts, task)
        tasks_dir = self.config.paths.tasks
        with choosing_names(self.config.paths.names_lock, self.conn):  # workers elsewhere use failed/ too
            sidecar = sidecars.set_aside(task.original(tasks_dir), task.file_name, self.config.paths.failed, record)
        shutil.rmtree(task.folder(tasks_dir), ignore_errors=True)
        log.error("%s %s: failed before it was queued: %s -> failed/%s", task.id, task.name, record.message,
                  sidecar.name, exc_info=None if isinstance(exc, DocVaultError) else exc)
        try:
            status.set_state(self.conn, self.config.results, task.id, TaskState.FAILED,
                             message=message_for(exc), name=task.name, priority=task.priority,
                             reason=record.reason, outputs={"error": self.config.paths.in_outbox(sidecar)})
        except RedisError as redis_error:
            log.warning("%s %s: Redis unavailable (%s); the failure is only in outbox/failed",
                        task.id, task.name, redis_error)
