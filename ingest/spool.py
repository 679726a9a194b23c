"""Claiming: a settled file in the inbox becomes a task folder in work/tasks/.

The claim is a rename on the same filesystem, so the file is in exactly one place at
every moment: the inbox or the task folder. The manifest follows the file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from pathlib import Path

from ingest import durable
from ingest.errors import UnsafeFile
from ingest.names import safe_name
from ingest.status import now_iso
from ingest.task import Task, new_task_id

log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_regular_file(path: Path) -> os.stat_result:
    """lstat, never stat: a symlink is reported, not followed."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFile(f"{path.name} is a shortcut (symbolic link); copy the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"{path.name} is not a regular file (a device or a pipe)")
    return info


def claim_file(path: Path, priority: str, tasks_dir: Path) -> Task:
    """Move `path` into a new task folder and write its manifest."""
    info = check_regular_file(path)
    task_id = new_task_id()
    folder = tasks_dir / task_id
    folder.mkdir(parents=True)
    task = Task(
        id=task_id,
        name=path.name,
        file_name=safe_name(path.name),
        priority=priority,
        sha256="",
        size=info.st_size,
        created_at=now_iso(),
    )
    durable.move(path, task.original(tasks_dir))
    task = Task(**{**task.to_dict(), "sha256": sha256_of(task.original(tasks_dir))})
    task.save(tasks_dir)
    log.info("%s %s: claimed from inbox/%s", task.id, task.name, priority)
    return task
