"""`docvault retry`: put a failed file back through the pipeline.

outbox/failed is the record: each `<name>.error.json` names the task, the original
beside it and its priority, whatever Redis still remembers. A retried file becomes a
new task (a new id), claimed from outbox/failed as it would be from the inbox and
admitted through the same Intake (batch and duplicate bookkeeping included, in place of
the failed task); its error file goes once the new task is queued.
"""

from __future__ import annotations

import logging
from pathlib import Path

from redis import Redis

from docvault.core import sidecars
from docvault.core.config import PRIORITIES, Config
from docvault.core.task import Task, new_task_id
from ingest import spool
from ingest.intake import Intake

log = logging.getLogger(__name__)

SIDECAR = ".error.json"


def failed_sidecars(failed_dir: Path) -> list[Path]:
    return sorted(failed_dir.glob(f"*{SIDECAR}")) if failed_dir.exists() else []


def find_sidecar(failed_dir: Path, task_id: str) -> Path | None:
    for sidecar in failed_sidecars(failed_dir):
        error = sidecars.read_error(sidecar)
        if error is not None and error.task_id == task_id:
            return sidecar
    return None


def retry_failed(conn: Redis, config: Config, sidecar: Path) -> Task:
    """Claim the original beside `sidecar` as a new task and queue it."""
    error = sidecars.read_error(sidecar)
    if error is None:
        raise FileNotFoundError(f"{sidecar.name} is not an error file DocVault can read")
    original = sidecar.with_name(error.original or sidecar.name.removesuffix(SIDECAR))
    priority = error.priority if error.priority in PRIORITIES else "normal"
    intake = Intake(conn, config)
    task = spool.start_claim(original, new_task_id(), priority, config.paths.tasks,
                             error.batch, error.relpath, name=error.name or None)
    task = intake.finish(task, replaces=error.task_id)
    intake.dispatch(task, replaces=error.task_id)
    sidecar.unlink()
    log.info("%s %s: retried (was task %s)", task.id, task.name, error.task_id)
    return task
