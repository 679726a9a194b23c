"""Claiming: a settled file in the inbox becomes a task folder in work/tasks/.

A first manifest is written (not synced: a hint), then the file is moved in with a
rename on the same filesystem (copy, fsync, unlink across filesystems), then the
manifest is completed with the file's sha256 and synced. After a crash at any moment the
work folder says what was going on: a manifest without sha256 is a claim to finish (file
moved in) or to drop (file still in the inbox); a folder whose first manifest was lost
with the power has the file alone and gets a manifest rebuilt. The file is in exactly
one place at every moment, the inbox or the task folder. Three fsyncs per claim: on a
NAS disk they are the cost of a claim.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from dataclasses import replace
from pathlib import Path

from docvault.core import durable
from docvault.core.digest import sha256_of
from docvault.core.errors import UnsafeFile
from docvault.core.names import display_name
from docvault.core.status import now_iso
from docvault.core.task import Task, stored_name

log = logging.getLogger(__name__)


def check_regular_file(path: Path) -> os.stat_result:
    """lstat, never stat: a symlink is reported, not followed."""
    info = path.lstat()
    name = display_name(path.name)
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFile(f"{name} is a shortcut (symbolic link) and was not followed; "
                         "copy the file itself into the inbox")
    if stat.S_ISFIFO(info.st_mode):
        raise UnsafeFile(f"{name} is a pipe (FIFO), not a document; it was not read")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"{name} is a device or special file, not a document; it was not read")
    return info


def start_claim(path: Path, task_id: str, priority: str, tasks_dir: Path,
                batch: str | None = None, relpath: str | None = None, *,
                name: str | None = None, language: str | None = None) -> Task:
    """Write the manifest of a new task folder, then move `path` into it.

    `name` is the name the owner knows when it is not `path.name` (an upload's).
    """
    info = check_regular_file(path)
    name = name or path.name
    task = Task(
        id=task_id,
        name=display_name(name),
        file_name=stored_name(name),
        priority=priority,
        sha256="",
        size=info.st_size,
        created_at=now_iso(),
        batch=batch,
        relpath=relpath,
        language=language,
    )
    task.folder(tasks_dir).mkdir(parents=True)
    try:
        task.save(tasks_dir, sync=False)  # the move's fsync of the folder persists it
        durable.move(path, task.original(tasks_dir))
    except OSError:
        shutil.rmtree(task.folder(tasks_dir), ignore_errors=True)  # the file is still in the inbox
        raise
    return task


def finish_claim(task: Task, tasks_dir: Path) -> Task:
    """Record the moved file's size and sha256 in the manifest."""
    original = task.original(tasks_dir)
    task = replace(task, sha256=sha256_of(original), size=original.stat().st_size)
    task.save(tasks_dir)
    return task
