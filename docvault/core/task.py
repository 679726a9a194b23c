"""The task manifest: what the work folder knows about one claimed file.

`work/tasks/<task_id>/task.json` is written before the job is enqueued; with the file
beside it, it is everything needed to process, retry or recover the task, whatever
Redis remembers.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from docvault.core import durable

MANIFEST = "task.json"


def new_task_id() -> str:
    """Sortable by claim time, unique, safe as a folder name and a Redis key."""
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


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

    def outbox_folder(self, outbox: Path) -> Path:
        return outbox / self.relpath if self.relpath else outbox

    def with_attempt(self) -> Task:
        return replace(self, attempts=self.attempts + 1)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> Task:
        return cls(**raw)

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
        return cls.from_dict(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
