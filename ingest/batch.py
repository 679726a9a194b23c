"""Batches: a folder dropped into an inbox. Each file in it, at any depth, becomes a task
carrying the batch id and its folder inside the batch, and the outbox keeps that
structure.

The batch id is kept in a hidden marker file inside the dropped folder (ignored like any
hidden file), so files claimed after a restart, or after Redis lost its data, still join
their batch. Once every file is claimed and the folder has been quiet for a while, the
empty folder goes, so that the inbox shows only what is still to come.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path, PurePath

from docvault.core import durable
from docvault.core.names import safe_name
from docvault.core.task import new_task_id

log = logging.getLogger(__name__)

MARKER = ".docvault-batch"


def batch_folder(rel: PurePath) -> PurePath | None:
    """For `rel` = priority/.../file relative to the inbox: the dropped folder (priority/X),
    or None for a file dropped on its own."""
    return PurePath(*rel.parts[:2]) if len(rel.parts) > 2 else None


def relpath(rel: PurePath) -> str:
    """The file's folder inside the outbox: the batch folder and its subfolders, each
    made safe."""
    return "/".join(safe_name(part) for part in rel.parts[1:-1])


def new_batch_id() -> str:
    return f"b{new_task_id()}"


def batch_id(folder: Path) -> str:
    """The id of the batch dropped as `folder`, given when its first file is claimed."""
    marker = folder / MARKER
    try:
        return marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    new_id = new_batch_id()
    durable.write_bytes(marker, new_id.encode())
    log.info("batch %s: folder %s", new_id, folder.name)
    return new_id


def remove_if_consumed(folder: Path, quiet_seconds: float) -> bool:
    """Remove a batch folder that holds nothing but its marker and empty folders, none
    changed for `quiet_seconds`. Anything else in it (a file still to come, an ignored
    .DS_Store, a folder not dropped by us) keeps it."""
    marker = folder / MARKER
    if not marker.exists():
        return False
    folders = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        if any(here / name != marker for name in files) or any(os.path.islink(here / d) for d in dirs):
            return False
        folders.append(here)
    if time.time() - max(f.stat().st_mtime for f in folders) < quiet_seconds:
        return False
    batch = marker.read_text(encoding="utf-8").strip()
    marker.unlink()
    try:
        for empty in reversed(folders):  # deepest first
            empty.rmdir()
    except OSError:  # something arrived just now: it stays, and starts a new batch
        return False
    log.info("batch %s: every file claimed; removed the empty folder %s", batch, folder.name)
    return True
