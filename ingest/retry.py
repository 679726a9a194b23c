"""`docvault retry`: put a failed file back through the pipeline.

outbox/failed is the record: each `<name>.error.json` names the task, the original
beside it and its priority, whatever Redis still remembers. A retried file becomes a
new task (a new id), claimed from outbox/failed as it would be from the inbox and
admitted through the same Intake (batch and duplicate bookkeeping included, in place of
the failed task); its error file goes once the new task is queued.

outbox/failed is on the share: an error file is read as the daemon reads its own records
(sidecars.read_error checks every name in it), so a changed one cannot make a retry take
a file from elsewhere or write anywhere but the outbox.
"""

from __future__ import annotations

import logging
from pathlib import Path

from redis import Redis

from docvault.core import sidecars
from docvault.core.config import PRIORITIES, Config
from docvault.core.digest import sha256_of
from docvault.core.errors import FAILS_UNCHANGED, DocVaultError, InvalidRecord
from docvault.core.sidecars import ErrorSidecar
from docvault.core.task import Task, new_task_id
from ingest import spool
from ingest.intake import Intake

log = logging.getLogger(__name__)

SIDECAR = ".error.json"


def failed_sidecars(failed_dir: Path) -> list[Path]:
    return sorted(failed_dir.glob(f"*{SIDECAR}")) if failed_dir.exists() else []


def find_sidecar(failed_dir: Path, task_id: str) -> Path | None:
    for sidecar in failed_sidecars(failed_dir):
        try:
            if sidecars.read_error(sidecar).task_id == task_id:
                return sidecar
        except (OSError, InvalidRecord):
            continue
    return None


def fails_unchanged(error: ErrorSidecar, sidecar: Path) -> bool:
    """True when the file failed for a reason a retry cannot change (a password, a damaged
    file: errors.FAILS_UNCHANGED) and it is the very file that failed (same sha256)."""
    if error.reason not in FAILS_UNCHANGED:
        return False
    if error.original is None or error.sha256 is None:
        return True
    try:
        return sha256_of(sidecar.with_name(error.original)) == error.sha256
    except (OSError, DocVaultError):
        return True


def retry_failed(conn: Redis, config: Config, sidecar: Path, error: ErrorSidecar) -> Task:
    """Claim the original beside `sidecar` (its `error`, as read_error gave it) as a new
    task and queue it."""
    if error.original is None:
        raise InvalidRecord("no file was kept beside it")
    priority = error.priority if error.priority in PRIORITIES else "normal"
    intake = Intake(conn, config)
    task = spool.start_claim(sidecar.with_name(error.original), new_task_id(), priority, config.paths.tasks,
                             error.batch, error.relpath, name=error.name or None)
    task = intake.finish(task, replaces=error.task_id)
    intake.dispatch(task, replaces=error.task_id)
    sidecar.unlink()
    log.info("%s %s: retried (was task %s)", task.id, task.name, error.task_id)
    return task
