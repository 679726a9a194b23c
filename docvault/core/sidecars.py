"""Setting a file aside, into outbox/failed or outbox/duplicates, beside a JSON sidecar
that says why. The one writer of these sidecars, for the daemon (refused files,
skipped duplicates) and the worker (failed tasks), so they all have one shape."""

from __future__ import annotations

import errno
import json
import os
import stat
import traceback
from pathlib import Path

from docvault.core import durable
from docvault.core.errors import DocVaultError
from docvault.core.names import unique_stem
from docvault.core.status import now_iso

ERROR_SCHEMA_VERSION = 1


def error_record(task_id: str, name: str, exc: BaseException, message: str, attempts: int) -> dict:
    """What `<name>.error.json` holds: for the owner `message`, for developers the rest."""
    return {
        "schema_version": ERROR_SCHEMA_VERSION,
        "task_id": task_id,
        "name": name,
        "error": type(exc).__name__,
        "reason": exc.reason if isinstance(exc, DocVaultError) else "internal",
        "message": message,
        "attempts": attempts,
        "failed_at": now_iso(),
        "traceback": "".join(traceback.format_exception(exc)),
    }


def set_aside(source: Path, file_name: str, folder: Path, record: dict, kind: str = "error") -> Path:
    """Move `source` (if it is still there) into `folder` as `file_name`, or a free variant
    of it, beside `<name>.<kind>.json` holding `record`; return the sidecar's path."""
    folder.mkdir(parents=True, exist_ok=True)
    original = Path(file_name)
    sidecar_suffix = f"{original.suffix}.{kind}.json"
    stem = unique_stem(folder, original.stem, (original.suffix, sidecar_suffix))
    name = f"{stem}{original.suffix}"
    kept = _move_entry(source, folder / name)
    sidecar = folder / f"{stem}{sidecar_suffix}"
    data = json.dumps({**record, "original": name if kept else None}, ensure_ascii=False, indent=2)
    durable.write_bytes(sidecar, data.encode("utf-8"))
    return sidecar


def _move_entry(source: Path, target: Path) -> bool:
    """Move a regular file durably; move a symlink, pipe or device as itself, never
    opening it. False when there was nothing to keep (gone, or a pipe or device that
    cannot be carried to another filesystem and was removed)."""
    try:
        info = source.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISREG(info.st_mode):
        durable.move(source, target)
        return True
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        if not stat.S_ISLNK(info.st_mode):
            os.unlink(source)
            return False
        os.symlink(os.readlink(source), target)
        os.unlink(source)
    durable.fsync_dir(target.parent)
    return True
