"""`docvault retry`: put a failed file back through the pipeline.

outbox/failed is the record: each `<name>.error.json` names the task, the original
beside it and its priority, whatever Redis still remembers. A retried file becomes a
new task (a new id), claimed from outbox/failed as it would be from the inbox; its
error file goes once the new task is queued.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

from redis import Redis

from ingest import queue, spool
from docvault.core.config import PRIORITIES, Config
from docvault.core.task import Task, new_task_id

log = logging.getLogger(__name__)

SIDECAR = ".error.json"


def failed_sidecars(failed_dir: Path) -> list[Path]:
    return sorted(failed_dir.glob(f"*{SIDECAR}")) if failed_dir.exists() else []


def find_sidecar(failed_dir: Path, task_id: str) -> Path | None:
    for sidecar in failed_sidecars(failed_dir):
        if _read(sidecar).get("task_id") == task_id:
            return sidecar
    return None


def _read(sidecar: Path) -> dict:
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def retry_failed(conn: Redis, config: Config, sidecar: Path) -> Task:
    """Claim the original beside `sidecar` as a new task and queue it."""
    error = _read(sidecar)
    original = sidecar.with_name(error.get("original") or sidecar.name.removesuffix(SIDECAR))
    priority = error.get("priority") if error.get("priority") in PRIORITIES else "normal"
    task = spool.start_claim(original, new_task_id(), priority, config.paths.tasks,
                             error.get("batch"), error.get("relpath"))
    task = spool.finish_claim(dataclasses.replace(task, name=error.get("name") or task.name), config.paths.tasks)
    queue.enqueue_task(conn, task, config)
    sidecar.unlink()
    log.info("%s %s: retried (was task %s)", task.id, task.name, error.get("task_id"))
    return task
