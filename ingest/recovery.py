"""Putting back on the queue what a dead worker left behind.

A worker killed mid-task (SIGKILL, out of memory, power cut) leaves its job in RQ's
started registry until RQ's own cleanup notices, a minute or more later, and counts it
against the retries. A DocVault worker signs its life with each RQ heartbeat
(`status.beat_worker`), so a started job whose worker has gone silent is known to be
abandoned after three heartbeats and is queued again, at the front. Task folders whose
job RQ marked failed without the job's own failure handling (the worker died on the
last attempt) are queued again too: the job then moves them to outbox/failed itself
with a message that says why. Every worker runs this at start and in its maintenance;
the atomic removal from the registry makes sure only one of them requeues a job.
"""

from __future__ import annotations

import logging
from pathlib import Path

from redis import Redis
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from ingest import status
from ingest.task import MANIFEST

log = logging.getLogger(__name__)


def recover(conn: Redis, queues: list[Queue], tasks_dir: Path) -> list[str]:
    """Requeue abandoned jobs on `queues`; return their ids."""
    requeued = []
    for queue in queues:
        requeued += _requeue_abandoned(conn, queue)
    return requeued + _requeue_given_up(conn, queues, tasks_dir)


def _fetch(conn: Redis, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=conn, serializer=JSONSerializer)
    except NoSuchJobError:
        return None


def _requeue_abandoned(conn: Redis, queue: Queue) -> list[str]:
    registry = queue.started_job_registry
    requeued = []
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        job = _fetch(conn, job_id)
        if job is None or not job.worker_name or status.is_worker_alive(conn, job.worker_name):
            continue
        if not conn.zrem(registry.key, f"{job_id}:{execution_id}"):
            continue  # another worker got there first
        queue.enqueue_job(job, at_front=True)
        log.warning("%s: worker %s stopped in the middle of it; queued again", job_id, job.worker_name)
        requeued.append(job_id)
    return requeued


def _requeue_given_up(conn: Redis, queues: list[Queue], tasks_dir: Path) -> list[str]:
    by_name = {q.name: q for q in queues}
    requeued = []
    folders = sorted(tasks_dir.iterdir()) if tasks_dir.exists() else []
    for folder in folders:
        if not (folder / MANIFEST).exists():
            continue
        job = _fetch(conn, folder.name)
        if job is None or job.origin not in by_name or job.get_status() != JobStatus.FAILED:
            continue
        try:
            by_name[job.origin].failed_job_registry.requeue(job, at_front=True)
        except InvalidJobOperation:
            continue  # another worker got there first
        log.warning("%s: its worker stopped on the last attempt; queued again to be "
                    "moved to outbox/failed", job.id)
        requeued.append(job.id)
    return requeued
