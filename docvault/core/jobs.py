"""The RQ side that both halves share: queue names, queues, and the functions jobs name.

Every queue is built here, always with RQ's JSON serializer (no pickle). A job names its
function by import path; paths that moved keep working for one release through
`LEGACY_FUNCTIONS`, which `DocVaultJob` resolves when a worker runs an old job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.utils import import_attribute

from docvault.core.config import PRIORITIES

OCR_FUNCTION = "pipeline.job.run"
NOTIFY_FUNCTION = "pipeline.worker.webhook.deliver"
NOTIFY_QUEUE = "notify"

# Paths queued by the previous release (before the package move), mapped to today's.
# Remove once a release has passed: by then no queue holds a job that names them.
LEGACY_FUNCTIONS = {
    "ingest.webhook.deliver": NOTIFY_FUNCTION,
}


class DocVaultJob(Job):
    """RQ's Job, resolving function paths that moved (see LEGACY_FUNCTIONS)."""

    @property
    def func(self) -> Callable[..., Any] | None:
        name = self.func_name
        if name in LEGACY_FUNCTIONS and not self.instance:
            return import_attribute(LEGACY_FUNCTIONS[name])
        return super().func


UNSAFE = re.compile(r"[^\w .,()+-]")  # \w: letters and digits of any script, and _
DESCRIPTION_LENGTH = 100


def safe_text(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """`text` reduced to letters, digits, spaces and . , ( ) + - _ for what RQ keeps and
    rq-dashboard shows unescaped (job descriptions): no markup, no quotes, no <, & or =."""
    return " ".join(UNSAFE.sub(" ", text).split())[:limit]


def describe(name: str, priority: str) -> str:
    """The job's description, by which an operator recognises it: `Invoice 2024-03.pdf (normal)`."""
    return f"{safe_text(name) or 'document'} ({priority})"


def get_queue(conn: Redis, name: str) -> Queue:
    return Queue(name, connection=conn, serializer=JSONSerializer, job_class=DocVaultJob)


def all_queues(conn: Redis) -> list[Queue]:
    """The OCR queues, in the order workers read them: high, normal, low."""
    return [get_queue(conn, p) for p in PRIORITIES]


def notify_queue(conn: Redis) -> Queue:
    return get_queue(conn, NOTIFY_QUEUE)


def ocr_workers(conn: Redis) -> list[Worker]:
    """RQ's workers that read documents (not the notifier, which only posts webhooks)."""
    return [w for w in Worker.all(connection=conn) if set(w.queue_names()) & set(PRIORITIES)]


def busy_elsewhere(conn: Redis) -> int:
    """OCR tasks running or waiting besides the caller's own: each wants a core."""
    return max(0, sum(q.count + q.started_job_registry.count for q in all_queues(conn)) - 1)
