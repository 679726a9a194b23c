"""The OCR worker: RQ's Worker, plus a DocVault sign of life and crash recovery; and the
notifier, which alone posts the webhooks, so that no OCR worker ever waits for a receiver.

Each RQ heartbeat also refreshes `docvault:worker:<name>` (three heartbeats long), which
`docvault health`, `docvault stats` and the recovery of abandoned tasks rely on: RQ's own
worker key outlives a killed worker by a minute or more.

The log says what happens to each document once, in words (pipeline/job.py and
finish.py): RQ's four lines per job (dequeued, "Job OK", how long the result is kept,
"Successfully completed") become debug detail, and a job that failed as DocVault expected
(a password, a damaged file) is not logged again as RQ's traceback of TaskFailed.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import socket
import uuid
from collections.abc import Iterator

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from docvault.core import jobs, status
from docvault.core.config import Config, current_config
from docvault.core.errors import TaskFailed
from pipeline.worker import recovery

log = logging.getLogger(__name__)

MISSED_HEARTBEATS = 3  # silent this many heartbeats: dead
# The templates of RQ's per-job INFO lines (rq/worker/base.py, rq 2.x).
RQ_JOB_LINES = frozenset({
    "Worker %s: %s: %s",  # dequeued: queue, job id
    "Worker %s: %s: %s (%s)",  # dequeued: queue, description, id; and queue, "Job OK", id
    "Worker %s: job %s result is kept for %s seconds",
    "Worker %s: job %s result discarded immediately",
    "Successfully completed job %s in %ss on worker %s",
    "Successfully completed %s job in %ss on worker %s",
})


class PerJobLinesToDebug(logging.Filter):
    """On the `rq.worker` logger: RQ's per-job lines are logged at DEBUG, i.e. only with
    `docvault -v`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or record.msg not in RQ_JOB_LINES:
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def worker_name() -> str:
    """`<host>.<8 hex>`: unique, and says which machine the worker runs on wherever the name
    shows (rq-dashboard, `docvault stats`, a task's status) when workers on another
    machine share the queue."""
    return f"{socket.gethostname()}.{uuid.uuid4().hex[:8]}"


class DocVaultWorker(Worker):
    # RQ waits 1, 2, 4 ... up to 60 s between tries while Redis is away, and sleeps that
    # out even when Redis is back: after a 20 s Redis restart a worker could idle for half
    # a minute more with files waiting. 5 s at most.
    max_connection_wait_time = 5.0

    def __init__(self, queues: list[Queue], config: Config, **kwargs: object) -> None:
        beat = max(1, config.worker.heartbeat_seconds)
        kwargs.setdefault("name", worker_name())
        super().__init__(
            queues,
            serializer=JSONSerializer,
            job_class=jobs.DocVaultJob,
            job_monitoring_interval=beat,
            worker_ttl=beat + 15,  # RQ blocks on the queues for worker_ttl - 15 s between beats
            maintenance_interval=beat * 6,
            **kwargs,
        )
        self.liveness_ttl = beat * MISSED_HEARTBEATS

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)
            status.beat_worker(pipeline, self.name, self.liveness_ttl)
            return
        with self._through_outage("heartbeat"):
            super().heartbeat(timeout)
            status.beat_worker(self.connection, self.name, self.liveness_ttl)

    # While the work horse works, RQ's worker talks to Redis only to say it is alive; RQ
    # quits on the first connection error there, leaving the horse orphaned. A DocVault
    # worker carries on: the horse finishes its task, and the worker's next dequeue
    # reconnects (RQ retries that with backoff).
    def maintain_heartbeats(self, job: Job) -> None:
        with self._through_outage("job heartbeat"):
            super().maintain_heartbeats(job)

    def set_current_job_working_time(self, current_job_working_time: float,
                                     pipeline: Pipeline | None = None) -> None:
        if pipeline is not None:
            super().set_current_job_working_time(current_job_working_time, pipeline)
            return
        with self._through_outage("working time"):
            super().set_current_job_working_time(current_job_working_time)

    @contextlib.contextmanager
    def _through_outage(self, what: str) -> Iterator[None]:
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError) as exc:
            log.warning("worker %s: %s not sent, Redis unavailable (%s); carrying on", self.name, what, exc)

    def register_birth(self) -> None:
        super().register_birth()
        status.beat_worker(self.connection, self.name, self.liveness_ttl)

    def register_death(self) -> None:
        super().register_death()
        status.forget_worker(self.connection, self.name)

    def handle_exception(self, job: Job, *exc_info: object) -> None:
        if isinstance(exc_info[1], TaskFailed):  # the job has said why, in one line
            log.debug("%s: %s", job.id, exc_info[1])
            return
        super().handle_exception(job, *exc_info)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        recovery.recover(self.connection, self.queues)


def preload(config: Config) -> None:
    """Import the OCR job's modules, parse the config, ask tesseract for its languages
    and load the language detector once, in the worker: RQ forks a work horse for every
    job, which inherits them instead of doing it again (0.06 + 0.015 + 0.1 CPU s a job
    here, several times that on the NAS's ARM cores)."""
    importlib.import_module(jobs.OCR_FUNCTION.rpartition(".")[0])
    current_config()
    from pipeline import ocr_language  # here, not at the top: other commands stay light
    from pipeline.metadata import language

    ocr_language.preload(config.pipeline.tesseract_cmd)
    language.preload()


def run(config: Config, conn: Redis, burst: bool) -> None:
    logging.getLogger("rq.worker").addFilter(PerJobLinesToDebug())
    preload(config)
    worker = DocVaultWorker(jobs.all_queues(conn), config, connection=conn)  # webhooks: the notifier's
    # As verbose as the command line asked (`docvault -v worker`: DEBUG).
    worker.work(burst=burst, with_scheduler=True, logging_level=logging.getLogger().getEffectiveLevel())


def run_notifier(conn: Redis, burst: bool) -> None:
    """The webhook POSTs, one after another in this process (no fork per POST: each is a
    few kilobytes and seconds at most); its scheduler queues the retries when due."""
    notifier = SimpleWorker([jobs.notify_queue(conn)], connection=conn, serializer=JSONSerializer,
                            job_class=jobs.DocVaultJob)
    notifier.work(burst=burst, with_scheduler=True, logging_level=logging.getLogger().getEffectiveLevel())
