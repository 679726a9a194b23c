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

from docvault.core import durable, ownfiles
from docvault.core.errors import InvalidRecord
from docvault.core.names import safe_name
from docvault.core.task import is_batch_id, new_task_id

log = logging.getLogger(__name__)

MARKER = ".docvault-batch"
MARKER_BYTES = 64  # a batch id is 25


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


def read_marker(folder: Path) -> str | None:
    """The batch id in `folder`'s marker, None when it has none. InvalidRecord when what is
    there is not a marker DocVault wrote (a link, a pipe, anything but an id): it is never
    followed, never waited on, never taken as an id."""
    try:
        found = ownfiles.read_text(folder / MARKER, MARKER_BYTES).strip()
    except FileNotFoundError:
        return None
    if not is_batch_id(found):
        raise InvalidRecord(f"{MARKER} holds no batch id")
    return found


def batch_id(folder: Path) -> str | None:
    """The id of the batch dropped as `folder`, given when its first file is claimed and
    kept in its marker; a marker that is not ours is replaced (the link itself, never its
    target). None when no marker can be written there: its files are claimed on their own."""
    try:
        found = read_marker(folder)
    except InvalidRecord as exc:
        log.warning("folder %s: its batch marker is not one DocVault wrote (%s); replacing it",
                    folder.name, exc.message)
        found = None
    if found is not None:
        return found
    new_id = new_batch_id()
    try:
        durable.write_bytes(folder / MARKER, new_id.encode())
    except OSError as exc:
        log.warning("folder %s: no batch marker could be written (%s); its files are claimed "
                    "one by one", folder.name, exc)
        return None
    log.info("batch %s: folder %s", new_id, folder.name)
    return new_id


def remove_if_consumed(folder: Path, quiet_seconds: float) -> bool:
    """Remove a batch folder that holds nothing but its marker and empty folders, none
    changed for `quiet_seconds`. Anything else in it (a file still to come, an ignored
    .DS_Store, a folder not dropped by us) keeps it."""
    marker = folder / MARKER
    try:
        batch = read_marker(folder)
    except InvalidRecord:  # not ours: the next claim from the folder replaces it
        return False
    if batch is None:
        return False
    folders = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        if any(here / name != marker for name in files) or any(os.path.islink(here / d) for d in dirs):
            return False
        folders.append(here)
    if time.time() - max(f.stat().st_mtime for f in folders) < quiet_seconds:
        return False
    marker.unlink()
    try:
        for empty in reversed(folders):  # deepest first
            empty.rmdir()
    except OSError:  # something arrived just now: it stays, and starts a new batch
        return False
    log.info("batch %s: every file claimed; removed the empty folder %s", batch, folder.name)
    return True
