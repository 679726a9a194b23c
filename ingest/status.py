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
    SKIPPED = "SKIPPED"  # a duplicate set aside (ingest.duplicates: skip)

    @property
    def is_final(self) -> bool:
        return self in (TaskState.COMPLETED, TaskState.FAILED, TaskState.SKIPPED)


def task_key(task_id: str) -> str:
    return f"docvault:task:{task_id}"


def result_key(task_id: str) -> str:
    return f"docvault:result:{task_id}"


def batch_key(batch_id: str) -> str:
    return f"docvault:batch:{batch_id}"  # hash: name, priority, created_at


def batch_tasks_key(batch_id: str) -> str:
    return f"docvault:batch:{batch_id}:tasks"  # set of task ids


def content_key(sha256: str) -> str:
    return f"docvault:sha256:{sha256}"  # the first task that brought this content


CONTENT_TTL = 365 * 86400  # duplicates are recognised for a year after the first copy


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


def first_with_content(conn: Redis, sha256: str, task_id: str) -> str | None:
    """Record `task_id` as the first task with this content, unless another task was;
    return that earlier task's id (None when this task is the first)."""
    key = content_key(sha256)
    with conn.pipeline() as pipe:
        pipe.set(key, task_id, nx=True, ex=CONTENT_TTL)
        pipe.get(key)
        _, first = pipe.execute()
    first = first.decode() if first is not None else task_id
    return None if first == task_id else first


def add_to_batch(conn: Redis, batch_id: str, task_id: str, name: str, priority: str, ttl: int) -> None:
    """Count `task_id` in the batch; the batch lives as long as its newest task's status."""
    with conn.pipeline() as pipe:
        pipe.hsetnx(batch_key(batch_id), "created_at", now_iso())
        pipe.hset(batch_key(batch_id), mapping={"name": name, "priority": priority})
        pipe.sadd(batch_tasks_key(batch_id), task_id)
        pipe.expire(batch_key(batch_id), ttl)
        pipe.expire(batch_tasks_key(batch_id), ttl)
        pipe.execute()


@dataclass(frozen=True, slots=True)
class BatchTotals:
    batch_id: str
    name: str
    priority: str
    created_at: str
    total: int
    states: dict[str, int]  # TaskState value (or "UNKNOWN": status expired) -> count

    def to_dict(self) -> dict[str, object]:
        return {"batch": self.batch_id, "name": self.name, "priority": self.priority,
                "created_at": self.created_at, "total": self.total, "states": self.states}


def get_batch(conn: Redis, batch_id: str) -> BatchTotals | None:
    raw = conn.hgetall(batch_key(batch_id))
    if not raw:
        return None
    fields = {k.decode(): v.decode() for k, v in raw.items()}
    task_ids = sorted(m.decode() for m in conn.smembers(batch_tasks_key(batch_id)))
    with conn.pipeline() as pipe:
        for task_id in task_ids:
            pipe.hget(task_key(task_id), "state")
        states = pipe.execute()
    counts: dict[str, int] = {}
    for state in states:
        name = state.decode() if state is not None else "UNKNOWN"
        counts[name] = counts.get(name, 0) + 1
    return BatchTotals(batch_id, fields.get("name", ""), fields.get("priority", ""),
                       fields.get("created_at", ""), len(task_ids), counts)
