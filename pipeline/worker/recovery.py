"""Putting back on the queue what a dead worker left behind.

A worker killed mid-task (SIGKILL, out of memory, power cut) leaves its job in RQ's
started registry until RQ's own cleanup notices, a minute or more later, and counts it
against the retries. A DocVault worker signs its life with each RQ heartbeat
(`status.beat_worker`), so a started job whose worker has gone silent is known to be
abandoned after three heartbeats and is queued again, at the front. Every worker runs
this at start and in its maintenance; the atomic removal from the registry makes sure
only one of them requeues a job. (Task folders with no active job at all, e.g. one RQ
failed on its own, are the daemon's reconcile's: ingest/reconcile.py.) The job counts
its attempts in the task folder, so a file that keeps killing workers ends in
outbox/failed instead of going round for ever.
"""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from docvault.core import status

log = logging.getLogger(__name__)


def recover(conn: Redis, queues: list[Queue]) -> list[str]:
    """Requeue the jobs on `queues` whose worker died; return their ids."""
    return [job_id for queue in queues for job_id in _requeue_abandoned(conn, queue)]


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
