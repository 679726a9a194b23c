"""The result of a completed task: what `<name>.json` in the outbox holds and what Redis
keeps for `results.ttl_hours`. Its shape is published in docs/schemas/result.schema.json;
`schema_version` rises when a field changes meaning (adding a field does not)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from docvault.core.status import TaskState
from docvault.core.task import Task

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Source:
    """Where the file came from, as the owner dropped it."""

    name: str
    priority: str
    batch: str | None
    path: str | None  # its folder inside a dropped batch, kept in the outbox
    sha256: str
    size: int
    duplicate_of: str | None

    @classmethod
    def of(cls, task: Task) -> Source:
        return cls(task.name, task.priority, task.batch, task.relpath, task.sha256, task.size, task.duplicate_of)


@dataclass(frozen=True, slots=True)
class TaskResult:
    task_id: str
    source: Source
    # page_count, languages, confidence, text, pages, metadata, language, category: the
    # document's part, as pipeline.read.Document, the metadata and the category give it
    document: dict[str, Any]
    attempts: int
    created_at: str
    started_at: str
    finished_at: str
    processing_time: float  # seconds
    outputs: dict[str, str | None] = field(default_factory=dict)  # json, txt, pdf, original
    status: str = TaskState.COMPLETED.value
    schema_version: int = SCHEMA_VERSION

    @property
    def page_count(self) -> int:
        return int(self.document["page_count"])

    def with_outputs(self, outputs: dict[str, str | None]) -> TaskResult:
        return replace(self, outputs=outputs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "task_id": self.task_id,
            "status": self.status,
            "source": asdict(self.source),
            **self.document,
            "attempts": self.attempts,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "processing_time": self.processing_time,
            "outputs": self.outputs,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TaskResult:
        """A result read back (an earlier attempt's sidecar): what is not a field of its own
        is the document's part."""
        own = {f.name for f in fields(cls)} - {"document"}
        return cls(
            **{k: v for k, v in raw.items() if k in own and k != "source"},
            source=Source(**raw["source"]),
            document={k: v for k, v in raw.items() if k not in own},
        )
