"""The one way a claimed file becomes a queued task, for the watched folders and the
HTTP API alike: sha256 and duplicate check, batch bookkeeping, then the queue (or
outbox/duplicates for a duplicate that is skipped)."""

from __future__ import annotations

import shutil

from redis import Redis

from docvault.core import durable, status
from docvault.core.config import Config
from docvault.core.task import Task
from ingest import duplicates, queue, spool


class Intake:
    def __init__(self, conn: Redis, config: Config) -> None:
        self.conn, self.config = conn, config

    def finish(self, task: Task, replaces: str | None = None) -> Task:
        """Complete a claim: sha256 in the manifest, and whether the content came before.
        `replaces`: the failed task a retry stands in for."""
        task = spool.finish_claim(task, self.config.paths.tasks)
        return duplicates.mark(self.conn, task, self.config, replaces)

    def dispatch(self, task: Task, replaces: str | None = None) -> None:
        """Queue a claimed task, or set it aside when it is a duplicate to skip.

        Raises RedisError when Redis is away: the task folder stays, and the daemon's
        reconcile queues it when Redis is back.
        """
        if task.batch:
            name = task.relpath.split("/")[0] if task.relpath else "upload"
            status.add_to_batch(self.conn, task.batch, task.id, name, task.priority,
                                self.config.results.status_ttl, replaces)
        if duplicates.is_skipped(task, self.config):
            with durable.locked(self.config.paths.names_lock):
                duplicates.set_aside(self.conn, task, self.config)
            shutil.rmtree(task.folder(self.config.paths.tasks))
        else:
            queue.enqueue_task(self.conn, task, self.config)
