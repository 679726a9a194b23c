"""Setting a file aside, into outbox/failed or outbox/duplicates, beside a JSON sidecar
that says why. The one writer of these sidecars, for the daemon (refused files,
skipped duplicates) and the worker (failed tasks), so they all have one shape."""

from __future__ import annotations

import errno
import json
import os
import stat
import traceback
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, ClassVar, Protocol

from docvault.core import durable, ownfiles
from docvault.core.config import PRIORITIES
from docvault.core.errors import DocVaultError, InvalidRecord, message_for
from docvault.core.names import unique_stem
from docvault.core.status import now_iso
from docvault.core.task import SHA256, MAX_DISPLAY_NAME, Task, is_batch_id, is_file_name, is_relpath

SCHEMA_VERSION = 1  # of every sidecar (docs/schemas/): raised when a field changes meaning


@dataclass(frozen=True, slots=True)
class ErrorSidecar:
    """What `<name>.error.json` in outbox/failed holds: for the owner `message`, for
    developers the rest; `priority`, `batch` and `relpath` let `docvault retry` put the
    file back where it came from."""

    task_id: str
    name: str  # as dropped, for people; never used as a path
    error: str  # the exception's type
    reason: str  # DocVaultError.reason, or "internal"
    message: str
    attempts: int
    failed_at: str
    traceback: str
    priority: str | None = None
    batch: str | None = None
    relpath: str | None = None
    original: str | None = None  # the file beside the sidecar; None when nothing was kept
    sha256: str | None = None  # of the file when it failed: `docvault retry --failed` sees a change
    schema_version: int = SCHEMA_VERSION

    KIND: ClassVar[str] = "error"

    @classmethod
    def from_exception(cls, task_id: str, name: str, exc: BaseException, attempts: int,
                       task: Task | None = None) -> ErrorSidecar:
        return cls(
            task_id=task_id,
            name=name,
            error=type(exc).__name__,
            reason=exc.reason if isinstance(exc, DocVaultError) else "internal",
            message=message_for(exc),
            attempts=attempts,
            failed_at=now_iso(),
            traceback="".join(traceback.format_exception(exc)),
            priority=task.priority if task else None,
            batch=task.batch if task else None,
            relpath=task.relpath if task else None,
            sha256=(task.sha256 or None) if task else None,
        )

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ErrorSidecar:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


@dataclass(frozen=True, slots=True)
class DuplicateSidecar:
    """What `<name>.duplicate.json` in outbox/duplicates holds (ingest.duplicates: skip)."""

    task_id: str
    name: str
    message: str
    duplicate_of: str  # the earlier task with the same content
    sha256: str
    skipped_at: str
    reason: str = "duplicate"
    original: str | None = None
    schema_version: int = SCHEMA_VERSION

    KIND: ClassVar[str] = "duplicate"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


Sidecar = ErrorSidecar | DuplicateSidecar


class Record(Protocol):
    def to_dict(self) -> dict[str, object]: ...


def write_json(path: Path, record: Record) -> None:
    """The one way a sidecar (error, duplicate, or a result) reaches the disk: UTF-8 JSON,
    indented for people, written durably (temp file, fsync, rename)."""
    data = json.dumps(record.to_dict(), ensure_ascii=False, indent=2)
    durable.write_bytes(path, data.encode("utf-8"))


def read_error(path: Path) -> ErrorSidecar:
    """An error sidecar, each name in it checked before `docvault retry` makes it a path
    (outbox/failed is on the share). FileNotFoundError when it is gone; InvalidRecord when
    it is not an error file DocVault wrote."""
    raw = ownfiles.read_json(path)
    try:
        error = ErrorSidecar.from_dict(raw)
    except TypeError:
        raise InvalidRecord(f"{path.name} lacks the fields of an error file") from None
    wrong = [name for name, ok in (
        ("task_id", isinstance(error.task_id, str)),
        ("name", isinstance(error.name, str) and len(error.name) <= MAX_DISPLAY_NAME),
        ("reason", isinstance(error.reason, str)),
        ("message", isinstance(error.message, str)),
        ("priority", error.priority is None or error.priority in PRIORITIES),
        ("batch", error.batch is None or is_batch_id(error.batch)),
        ("relpath", error.relpath is None or is_relpath(error.relpath)),
        ("original", error.original is None or is_file_name(error.original)),
        ("sha256", error.sha256 is None or (isinstance(error.sha256, str) and SHA256.fullmatch(error.sha256))),
    ) if not ok]
    if wrong:
        raise InvalidRecord(f"its {', '.join(wrong)} is not one DocVault wrote; nothing was moved")
    return error


def set_aside(source: Path, file_name: str, folder: Path, record: Sidecar) -> Path:
    """Move `source` (if it is still there) into `folder` as `file_name`, or a free variant
    of it, beside `<name>.<kind>.json` holding `record`; return the sidecar's path."""
    kind = record.KIND
    folder.mkdir(parents=True, exist_ok=True)
    original = Path(file_name)
    sidecar_suffix = f"{original.suffix}.{kind}.json"
    stem = unique_stem(folder, original.stem, (original.suffix, sidecar_suffix))
    name = f"{stem}{original.suffix}"
    kept = _move_entry(source, folder / name)
    sidecar = folder / f"{stem}{sidecar_suffix}"
    write_json(sidecar, replace(record, original=name if kept else None))
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
