"""The job an RQ worker runs for one task: the thin adapter between RQ and the flow.

RQ calls `run(task_id)`; the payload is the task id only. Everything else comes from the
task folder (the record of truth) and the config.
"""

from __future__ import annotations

import logging

from rq import get_current_job
from rq.job import Job
from rq.timeouts import JobTimeoutException

from docvault.core import jobs, outbox
from docvault.core.config import current_config
from docvault.core.errors import DocVaultError, InvalidRecord, LimitExceeded, TaskFailed, WorkerLost, message_for
from docvault.core.status import TaskState
from docvault.core.task import FAILURE, Task, is_task_id
from pipeline.finish import complete_task, fail_task
from pipeline.process import process_task
from pipeline.progress import Progress
from pipeline.result import TaskResult

log = logging.getLogger(__name__)


def run(task_id: str) -> dict:
    """What RQ calls. Returns a short summary (the full result is in Redis and the outbox).

    Whatever RQ stores about the job (its result, the exception of a failure) names the
    task id only: rq-dashboard shows it unescaped, and file names can hold markup.
    """
    config = current_config()
    job = get_current_job()
    assert job is not None, "pipeline.job.run is meant to be called by an RQ worker"
    if not is_task_id(task_id):
        job.retries_left = 0
        raise TaskFailed("not a task id; nothing was read")
    folder = config.paths.tasks / task_id
    try:
        task = Task.load(folder).with_attempt()
    except FileNotFoundError:  # finished already, by a run RQ lost track of
        log.warning("%s: no task folder; it was finished already", task_id)
        return {"task_id": task_id, "status": "gone"}
    except InvalidRecord as exc:  # changed on the share: nothing in it is used
        job.retries_left = 0
        log.error("%s: not processed: %s; the daemon rebuilds it from the file in the folder",
                  task_id, exc.message)
        raise TaskFailed(f"task {task_id}: its task.json is not one DocVault wrote") from None
    task.save(config.paths.tasks)
    progress = Progress(job.connection, job, task.id, task.name, config.results)
    try:
        if (folder / FAILURE).exists():
            raise WorkerLost(f"{task.name} failed; the worker stopped while moving it to outbox/failed")
        if task.attempts > config.worker.max_retries + 1:
            lost = task.attempts - 1 - int(job.meta.get("failed_attempts", 0))
            raise WorkerLost(f"the OCR worker stopped {lost} time(s) while reading {task.name} "
                             "(out of memory, or switched off?); try a smaller scan or a lower "
                             "pipeline.dpi")
        written = outbox.written_record(task, folder, config.paths.outbox)
        if written is not None:
            log.info("%s %s: outputs written by an earlier attempt; finishing it", task.id, task.name)
            complete_task(task, config, progress, TaskResult.from_dict(written))
        else:
            process_task(task, config, progress, worker=job.worker_name or "",
                         busy_elsewhere=jobs.busy_elsewhere(job.connection))
    except Exception as exc:  # noqa: BLE001 - every failure ends in the failed folder or a retry
        if isinstance(exc, JobTimeoutException):  # the same document would take as long again
            limit = LimitExceeded(f"reading {task.name} took longer than its time limit of {job.timeout} s; "
                                  "a retry would take as long again; split the document and drop the parts again")
            limit.__cause__ = exc
            exc = limit
        if _will_retry(exc, job):
            job.meta["failed_attempts"] = int(job.meta.get("failed_attempts", 0)) + 1
            progress.set(TaskState.RETRYING, 0, f"attempt {task.attempts} failed, will retry: {message_for(exc)}")
            log.warning("%s %s: attempt %d failed, will retry: %s", task.id, task.name, task.attempts,
                        exc, exc_info=not isinstance(exc, DocVaultError))
        else:
            job.retries_left = 0  # a final failure: RQ must not retry it behind our back
            fail_task(task, config, job.connection, exc)
        reason = exc.reason if isinstance(exc, DocVaultError) else type(exc).__name__
        raise TaskFailed(f"task {task.id}: attempt {task.attempts} failed ({reason})") from None
    return {"task_id": task.id, "status": TaskState.COMPLETED.value}


def _will_retry(exc: Exception, job: Job) -> bool:
    transient = not isinstance(exc, DocVaultError) or exc.transient
    return transient and job.should_retry
