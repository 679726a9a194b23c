"""Reconciling the work folder with Redis and the outbox, at start-up and on each rescan.

The work folder is the record of truth; after a kill -9 at any moment, or a Redis that
lost its data, this puts every task folder back on its way:
- no readable manifest (the first one is not synced, so a power cut can take it): a
  file in it gets a new manifest, an empty folder goes;
- a manifest without sha256 (crash mid-claim): the claim is finished if the file was
  moved in, dropped if the file is still in the inbox (where it will be claimed again);
- outputs complete (the outbox JSON named by outbox-plan.json, with this task's id) but
  the folder still there (crash after writing them): the folder is removed;
- no queued, scheduled or running job: the task is queued again, unless a worker wrote
  into the folder within a page timeout (Redis lost the job of a task still running).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from docvault.core import outbox, status
from docvault.core.config import Config
from docvault.core.errors import InvalidRecord
from docvault.core.names import display_name
from docvault.core.status import TaskState, now_iso
from docvault.core.task import MANIFEST, WORK_NAMES, Task, is_file_name, is_task_id

log = logging.getLogger(__name__)

ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def reconcile(config: Config, conn: Redis, finish: Callable[[Task], Task],
              dispatch: Callable[[Task], object], fail: Callable[[Task, Exception], None]) -> None:
    """`finish` completes an interrupted claim; `dispatch` queues (or sets aside) a task;
    `fail` sends a task to outbox/failed when something about its file goes wrong here."""
    tasks_dir = config.paths.tasks
    if not tasks_dir.exists():
        return
    for folder in sorted(tasks_dir.iterdir()):
        task = None
        try:
            task = _load(folder)
            if task is None or _is_finished(task, folder, config, conn):
                continue
            if not task.sha256:
                if not os.path.lexists(task.original(tasks_dir)):
                    log.info("%s %s: claim interrupted before the move; the file is still in the "
                             "inbox and will be claimed again", task.id, task.name)
                    shutil.rmtree(folder)
                    continue
                task = finish(task)
                log.info("%s %s: claim interrupted after the move; finished it", task.id, task.name)
            elif _has_active_job(conn, task.id):
                continue
            elif _worker_was_here_lately(task, folder, config.pipeline.page_timeout_seconds + 60):
                log.info("%s %s: no job in Redis, but a worker wrote here lately; looking again "
                         "at the next rescan", task.id, task.name)
                continue
            else:
                log.info("%s %s: in the work folder without a job; queueing it again", task.id, task.name)
            dispatch(task)
        except RedisError as exc:
            log.warning("Redis unavailable (%s); the work folder will be reconciled when it is back", exc)
            return
        except (OSError, InvalidRecord) as exc:  # one bad folder must not stop the others
            log.error("%s: could not be reconciled (%s); left as it is", folder.name,
                      getattr(exc, "message", exc))
        except Exception as exc:  # noqa: BLE001 - about this one file: it fails, the daemon goes on
            if task is None:
                log.exception("%s: could not be reconciled; left as it is", folder.name)
            else:
                fail(task, exc)


def _load(folder: Path) -> Task | None:
    """The folder's task, with a manifest rebuilt from its file if it had none (or one
    that is not a task's: left half-written by a power cut, or changed on the share)."""
    if folder.is_symlink() or not folder.is_dir():
        log.error("%s: not a task folder (a link or a file) in the work folder; left as it is", folder.name)
        return None
    try:
        return Task.load(folder)
    except FileNotFoundError:
        pass
    except InvalidRecord as exc:
        log.warning("%s: task.json unusable (%s); rebuilding it", folder.name, exc.message)
    files = [p for p in folder.iterdir()
             if not p.name.startswith(".") and p.name not in WORK_NAMES
             and not p.is_dir()]
    if len(files) != 1:
        if not files:
            log.info("%s: empty task folder (claim interrupted before the move); removed", folder.name)
            shutil.rmtree(folder)
        else:
            log.error("%s: task folder without task.json and with several files; left as it is", folder.name)
        return None
    original = files[0]
    if not is_task_id(folder.name) or not is_file_name(original.name) or not original.is_file() \
            or original.is_symlink():
        log.error("%s: task folder without a usable task.json, holding %s, which DocVault did not "
                  "put there; left as it is", folder.name, display_name(original.name))
        return None
    task = Task(id=folder.name, name=display_name(original.name), file_name=original.name,
                priority="normal", sha256="", size=original.stat().st_size, created_at=now_iso())
    task.save(folder.parent)
    log.warning("%s %s: task folder had no task.json; rebuilt it (priority normal)", task.id, task.name)
    return task


def _is_finished(task: Task, folder: Path, config: Config, conn: Redis) -> bool:
    """Outputs complete: remove the folder the worker did not get to remove."""
    written = outbox.written_record(task, folder, config.paths.outbox)
    if written is None:
        return False
    record = status.get_status(conn, task.id)
    if record is None or not record.state.is_final:
        status.set_state(conn, config.results, task.id, TaskState.COMPLETED, message="done",
                         name=task.name, priority=task.priority, outputs=written["outputs"])
    shutil.rmtree(folder)
    log.info("%s %s: outputs were complete; removed the leftover task folder", task.id, task.name)
    return True


def _worker_was_here_lately(task: Task, folder: Path, window: float) -> bool:
    """A job lost with Redis's data may still be running: its worker writes pages and the
    outbox plan beside the file, at least once per page timeout."""
    written = [p.stat().st_mtime for p in folder.iterdir() if p.name not in (MANIFEST, task.file_name)]
    return bool(written) and time.time() - max(written) < window


def _has_active_job(conn: Redis, task_id: str) -> bool:
    try:
        job = Job.fetch(task_id, connection=conn, serializer=JSONSerializer)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in ACTIVE
