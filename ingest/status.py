"""The one status store: every Redis key DocVault writes, its TTL, and how it is read.

The daemon, the worker and the CLI all go through here. Every write sets the key's
expiry again, so nothing lives forever and nothing expires while it is still in use.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from redis import Redis


class TaskState(enum.Enum):
    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    RETRYING = "RETRYING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        return self in (TaskState.COMPLETED, TaskState.FAILED)


def task_key(task_id: str) -> str:
    return f"docvault:task:{task_id}"


def result_key(task_id: str) -> str:
    return f"docvault:result:{task_id}"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class TaskStatus:
    task_id: str
    state: TaskState
    progress: int
    message: str
    fields: dict[str, str]  # name, priority, created_at, updated_at, outputs, ...

    def to_dict(self) -> dict[str, object]:
        return {
            **self.fields,
            "task_id": self.task_id,
            "status": self.state.value,
            "progress": self.progress,
            "message": self.message,
        }


def set_state(
    conn: Redis,
    task_id: str,
    state: TaskState,
    ttl: int,
    progress: int,
    message: str,
    **fields: str,
) -> None:
    """Record where a task stands; `fields` adds or replaces other columns."""
    key = task_key(task_id)
    mapping = {
        "state": state.value,
        "progress": str(progress),
        "message": message,
        "updated_at": now_iso(),
        **fields,
    }
    with conn.pipeline() as pipe:
        pipe.hsetnx(key, "created_at", mapping["updated_at"])
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, ttl)
        pipe.execute()


def get_status(conn: Redis, task_id: str) -> TaskStatus | None:
    raw = conn.hgetall(task_key(task_id))
    if not raw:
        return None
    fields = {k.decode(): v.decode() for k, v in raw.items()}
    return TaskStatus(
        task_id=task_id,
        state=TaskState(fields.pop("state")),
        progress=int(fields.pop("progress", "0")),
        message=fields.pop("message", ""),
        fields=fields,
    )


def store_result(conn: Redis, task_id: str, result: dict, ttl: int) -> None:
    conn.set(result_key(task_id), json.dumps(result, ensure_ascii=False), ex=ttl)


def get_result(conn: Redis, task_id: str) -> dict | None:
    raw = conn.get(result_key(task_id))
    return None if raw is None else json.loads(raw)
