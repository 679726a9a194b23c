"""The task manifest: what the work folder knows about one claimed file.

`work/tasks/<task_id>/task.json` is written before the job is enqueued; with the file
beside it, it is everything needed to process, retry or recover the task, whatever
Redis remembers.
"""

from __future__ import annotations

import json
import re
import secrets
import stat
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path

from docvault.core import durable, ownfiles
from docvault.core.config import PRIORITIES
from docvault.core.errors import InvalidRecord, UnsafeFile
from docvault.core.names import safe_name

MANIFEST = "task.json"
FAILURE = "failure.json"  # written by the pipeline: a final failure under way
OUTBOX_PLAN = "outbox-plan.json"  # the outbox names the pipeline chose (docvault.core.outbox)
PAGES = "pages"  # the folder of the pages' images and PDFs while they are read
SEARCHABLE = "searchable.pdf"  # the searchable PDF before it moves to the outbox
# The task folder's own names: a dropped file is never stored under one (see stored_name).
WORK_NAMES = frozenset({MANIFEST, FAILURE, OUTBOX_PLAN, PAGES, SEARCHABLE})
TASK_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{8}")
BATCH_ID = re.compile(r"b[0-9]{8}-[0-9]{6}-[0-9a-f]{8}")
SHA256 = re.compile(r"[0-9a-f]{64}")
LANGUAGE = re.compile(r"[a-z_]{3,8}(\+[a-z_]{3,8}){0,4}")  # tesseract codes: deu+eng
MAX_DISPLAY_NAME = 1024  # characters; a dropped file's name is at most 255 bytes


def new_task_id() -> str:
    """Sortable by claim time, unique, safe as a folder name and a Redis key."""
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def is_task_id(value: object) -> bool:
    return isinstance(value, str) and TASK_ID.fullmatch(value) is not None


def is_batch_id(value: object) -> bool:
    return isinstance(value, str) and BATCH_ID.fullmatch(value) is not None


def stored_name(name: str) -> str:
    """The name a dropped file gets in its task folder: its safe name, with a `_` before
    one the folder uses for itself (a scan called task.json or searchable.pdf would be
    overwritten by the pipeline's file of that name)."""
    safe = safe_name(name)
    return f"_{safe}" if safe in WORK_NAMES else safe


def is_file_name(value: object) -> bool:
    """One path component DocVault could have chosen: what `names.safe_name` gives."""
    return isinstance(value, str) and bool(value) and safe_name(value) == value


def is_relpath(value: object) -> bool:
    """A folder inside the outbox as `batch.relpath` gives it: relative, each part safe."""
    return isinstance(value, str) and all(is_file_name(part) for part in value.split("/"))


def inside(root: Path, path: Path) -> Path:
    """`path`, once links are resolved still below `root`; else InvalidRecord."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise InvalidRecord(f"{path.name} leads outside {root.name}; refused")
    return path


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    name: str  # the name as dropped, for people and the JSON; never used as a path
    file_name: str  # the safe name of the file inside the task folder
    priority: str  # high | normal | low
    sha256: str  # "" while the claim is not finished (the file is being moved in)
    size: int
    created_at: str
    attempts: int = 0
    batch: str | None = None  # set when the file came in a dropped folder
    relpath: str | None = None  # its folder inside the batch, kept in the outbox
    duplicate_of: str | None = None  # the earlier task with the same sha256, if any
    language: str | None = None  # tesseract languages chosen for this file ("deu+eng")

    def folder(self, tasks_dir: Path) -> Path:
        return tasks_dir / self.id

    def original(self, tasks_dir: Path) -> Path:
        return tasks_dir / self.id / self.file_name

    def regular_original(self, tasks_dir: Path) -> Path:
        """The file to read, refused when a link, pipe or device took its place."""
        path = self.original(tasks_dir)
        if not stat.S_ISREG(path.lstat().st_mode):
            raise UnsafeFile(f"{self.name}: in its place in the work folder is a link, pipe or "
                             "device, not the file that was dropped; it was not read")
        return path

    def outbox_folder(self, outbox: Path) -> Path:
        """Where its outputs go: inside the outbox, whatever links the outbox holds."""
        return inside(outbox, outbox / self.relpath) if self.relpath else outbox

    def with_attempt(self) -> Task:
        return replace(self, attempts=self.attempts + 1)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> Task:
        """A task from its manifest, each field checked: task.json lies on a share that
        others can write to, and its names become paths (InvalidRecord if one is off)."""
        known = {f.name for f in fields(cls)}
        if not isinstance(raw, dict) or not set(raw) <= known or not {"id", "name", "file_name"} <= set(raw):
            raise InvalidRecord("task.json does not have the fields of a task")
        task = cls(**raw)
        checks = {
            "id": is_task_id(task.id),
            "name": isinstance(task.name, str) and 0 < len(task.name) <= MAX_DISPLAY_NAME,
            "file_name": is_file_name(task.file_name) and task.file_name not in WORK_NAMES,
            "priority": task.priority in PRIORITIES,
            "sha256": task.sha256 == "" or (isinstance(task.sha256, str) and SHA256.fullmatch(task.sha256)),
            "size": type(task.size) is int and task.size >= 0,
            "created_at": isinstance(task.created_at, str),
            "attempts": type(task.attempts) is int and task.attempts >= 0,
            "batch": task.batch is None or is_batch_id(task.batch),
            "relpath": task.relpath is None or is_relpath(task.relpath),
            "duplicate_of": task.duplicate_of is None or is_task_id(task.duplicate_of),
            "language": task.language is None or (isinstance(task.language, str)
                                                  and LANGUAGE.fullmatch(task.language)),
        }
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            raise InvalidRecord(f"task.json has a {', '.join(wrong)} DocVault did not write; refused")
        return task

    def save(self, tasks_dir: Path, sync: bool = True) -> None:
        """`sync=False` skips the fsyncs: for a manifest that is only a hint, which a crash
        may leave empty or half-written (the work folder's reconciliation rebuilds it)."""
        data = json.dumps(self.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
        if sync:
            durable.write_bytes(self.folder(tasks_dir) / MANIFEST, data)
        else:
            (self.folder(tasks_dir) / MANIFEST).write_bytes(data)

    @classmethod
    def load(cls, folder: Path) -> Task:
        """The task of `folder`: FileNotFoundError without a manifest, InvalidRecord for one
        that is not a task's, or not this folder's."""
        task = cls.from_dict(ownfiles.read_json(folder / MANIFEST))
        if task.id != folder.name:
            raise InvalidRecord(f"task.json in {folder.name} names another task; refused")
        return task
