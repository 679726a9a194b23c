"""Putting a task on the RQ queue of its priority.

The job carries the task id and nothing else (JSON serializer, no pickle); its
description names the task id only, so nothing from a file name reaches rq-dashboard.
"""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

from ingest import status
from ingest.config import PRIORITIES, Config
from ingest.status import TaskState
from ingest.task import Task

log = logging.getLogger(__name__)

JOB_FUNCTION = "pipeline.job.run"


def get_queue(conn: Redis, priority: str) -> Queue:
    return Queue(priority, connection=conn, serializer=JSONSerializer)


def all_queues(conn: Redis) -> list[Queue]:
    return [get_queue(conn, p) for p in PRIORITIES]


def enqueue_task(conn: Redis, task: Task, config: Config) -> None:
    status.set_state(
        conn,
        task.id,
        TaskState.QUEUED,
        ttl=config.results.status_ttl,
        progress=0,
        message="waiting for a worker",
        name=task.name,
        priority=task.priority,
        sha256=task.sha256,
    )
    retries = config.worker.max_retries
    get_queue(conn, task.priority).enqueue(
        JOB_FUNCTION,
        task.id,
        job_id=task.id,
        description=f"OCR task {task.id}",
        job_timeout=config.pipeline.page_timeout_seconds * 12,
        result_ttl=config.results.result_ttl,
        failure_ttl=config.results.status_ttl,
        retry=Retry(max=retries, interval=list(config.worker.retry_delays)) if retries else None,
    )
    log.info("%s %s: queued on %s", task.id, task.name, task.priority)
