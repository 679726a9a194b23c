"""The end of a task: complete (outputs in the outbox) or failed (original and error
sidecar in outbox/failed); the status, the stats and the webhook learn of it."""

from __future__ import annotations

import glob
import logging
import shutil
import socket
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from docvault.core import durable, sidecars, status
from docvault.core.config import Config
from docvault.core.digest import sha256_of
from docvault.core.errors import DocVaultError, InvalidRecord
from docvault.core.names_lock import choosing_names
from docvault.core.status import TaskState
from docvault.core.task import FAILURE, Task
from pipeline.progress import Progress, patiently
from pipeline.result import TaskResult
from pipeline.worker import webhook

log = logging.getLogger(__name__)


def complete_task(task: Task, config: Config, progress: Progress, result: TaskResult) -> None:
    """The outputs are in the outbox: Redis learns it, then the task folder goes.

    These writes wait out a short Redis outage; if Redis stays away the attempt fails
    and the next one finds the outputs written and only does this.
    """
    if progress.conn is not None:
        conn = progress.conn
        patiently(lambda: status.store_result(conn, task.id, result.to_dict(), config.results.result_ttl))
    progress.set(TaskState.COMPLETED, 100, "done", must=True, finished_at=result.finished_at,
                 outputs=result.outputs, pages=str(result.page_count),
                 processing_time=str(result.processing_time))
    shutil.rmtree(task.folder(config.paths.tasks), ignore_errors=True)
    if progress.conn is not None:
        _finished(progress.conn, config, task.id, TaskState.COMPLETED, result.processing_time,
                  result.page_count)
    log.info("%s %s: done, %d page(s) in %.1f s -> %s", task.id, task.name, result.page_count,
             result.processing_time, Path(result.outputs["json"] or "").name)


def fail_task(task: Task, config: Config, conn: Redis, exc: Exception) -> Path:
    """The final failure: original and error sidecar to outbox/failed, status FAILED."""
    task_dir = task.folder(config.paths.tasks)
    error = _failure_record(task, task_dir, exc)
    _take_back(task, task_dir, config.paths.failed)
    with choosing_names(config.paths.names_lock, conn):
        sidecar = sidecars.set_aside(task_dir / task.file_name, task.file_name, config.paths.failed, error)
    original = sidecar.with_name(sidecar.name.removesuffix(".error.json"))
    status.set_state(conn, config.results, task.id, TaskState.FAILED,
                     message=error.message, finished_at=error.failed_at, attempts=str(task.attempts),
                     reason=error.reason,
                     outputs={"error": config.paths.in_outbox(sidecar),
                              "original": config.paths.in_outbox(original)})
    shutil.rmtree(task_dir, ignore_errors=True)
    # One line for a failure DocVault expects (a password, a damaged file); the
    # traceback of anything else, which the error file also holds.
    log.error("%s %s: failed: %s", task.id, task.name, error.message,
              exc_info=None if isinstance(exc, DocVaultError) else exc)
    _finished(conn, config, task.id, TaskState.FAILED, 0.0, 0)
    return sidecar


def _failure_record(task: Task, task_dir: Path, exc: Exception) -> sidecars.ErrorSidecar:
    """The error file's record, saved in the task folder before anything moves: a failure
    cut off half-way (the worker killed) is finished by the next run with this record."""
    saved = task_dir / FAILURE
    try:
        return sidecars.read_error(saved)
    except (FileNotFoundError, InvalidRecord):  # none yet, or not ours: written afresh
        pass
    error = sidecars.ErrorSidecar.from_exception(task.id, task.name, exc, task.attempts, task)
    sidecars.write_json(saved, error)
    return error


def _take_back(task: Task, task_dir: Path, failed_dir: Path) -> None:
    """A run killed after moving the original to outbox/failed but before its error file
    left it there alone: bring it back, so that it gets its error file under its name."""
    original = Path(task.file_name)
    if (task_dir / original.name).exists() or not failed_dir.exists():
        return
    for candidate in sorted(failed_dir.glob(f"{glob.escape(original.stem)}*{glob.escape(original.suffix)}")):
        if candidate.with_name(f"{candidate.name}.error.json").exists():
            continue
        try:
            ours = sha256_of(candidate) == task.sha256
        except DocVaultError:  # a link or pipe someone put there: not ours, never opened
            continue
        if ours:
            durable.move(candidate, task_dir / original.name)
            return


def _finished(conn: Redis, config: Config, task_id: str, state: TaskState, seconds: float, pages: int) -> None:
    """For the stats, and the webhook; neither may fail a task that is done."""
    try:
        status.record_finished(conn, status.Finished(task_id, state, time.time(), seconds, pages,
                                                         socket.gethostname()))
    except RedisError as exc:
        log.warning("%s: not counted in the stats (Redis: %s)", task_id, exc)
    webhook.schedule(conn, config, task_id)
