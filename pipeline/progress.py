"""A task's progress as people see it: the status hash, and job.meta for rq-dashboard."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job

from docvault.core import status
from docvault.core.config import ResultSettings
from docvault.core.status import TaskState

log = logging.getLogger(__name__)

REDIS_PATIENCE_SECONDS = 30  # the final status writes wait this long for Redis to return


class Progress:
    """The task's percent and message, in the status hash and in job.meta (for rq-dashboard).

    Without a connection (`docvault process`) it only logs. A status write that fails
    (Redis away for a moment) is logged and skipped: the outputs on disk are what count,
    and the next write brings the record up to date.
    """

    def __init__(self, conn: Redis | None, job: Job | None, task_id: str, name: str,
                 results: ResultSettings) -> None:
        self.conn, self.job, self.task_id, self.name, self.results = conn, job, task_id, name, results

    def set(self, state: TaskState, percent: int, message: str, must: bool = False, **fields: str) -> None:
        """Record progress; `must`: wait out a short Redis outage, then raise."""
        log.debug("%s %s: %d %% %s", self.task_id, self.name, percent, message)

        def write() -> None:
            if self.conn is not None:
                status.set_state(self.conn, self.results, self.task_id, state, progress=percent,
                                 message=message, **fields)
            if self.job is not None:
                # Numbers and the state only: the dashboard shows meta unescaped.
                self.job.meta.update({"progress": percent, "state": state.value})
                self.job.save_meta()

        if must:
            patiently(write)
            return
        try:
            write()
        except RedisError as exc:
            log.warning("%s %s: status not recorded (%s): %d %% %s", self.task_id, self.name, exc,
                        percent, message)


def patiently(write: Callable[[], object]) -> None:
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
