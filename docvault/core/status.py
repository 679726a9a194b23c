"""The one status store: every Redis key DocVault writes, its TTL, and how it is read.

The daemon, the worker and the CLI all go through here. Every write sets the key's
expiry again, so nothing lives forever and nothing expires while it is still in use.

Keys (all `docvault:`):
  task:<id>       hash, the task's status record              results.status_ttl_days
                  (WAITING_TTL while the file waits in an inbox)
  result:<id>     the result JSON                             results.ttl_hours
  tasks           sorted set of task ids by claim time        status TTL, pruned on write
  finished        sorted set of finished-task facts, for stats  one day, pruned on write
  daemon          hash, the ingest daemon's heartbeat          DAEMON_TTL
  worker:<name>   the worker's liveness (its RQ name)          a few heartbeats
  batch:<id>, batch:<id>:tasks   a dropped folder and its tasks  status TTL
  sha256:<hash>   the first task with this content (duplicates)  CONTENT_TTL
"""

from __future__ import annotations

import enum
import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError

from docvault.core.config import ResultSettings

log = logging.getLogger(__name__)

DAEMON_KEY = "docvault:daemon"
DAEMON_TTL = 30  # seconds: `docvault health` calls the daemon dead after this long silent
TASKS_KEY = "docvault:tasks"
FINISHED_KEY = "docvault:finished"
FINISHED_TTL = 86400  # stats look back one day


class TaskState(enum.Enum):
    WAITING = "WAITING"  # still in an inbox: the daemon waits for it to be complete (set_waiting)
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


def worker_key(worker_name: str) -> str:
    return f"docvault:worker:{worker_name}"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class TaskStatus:
    task_id: str
    state: TaskState
    progress: int
    message: str
    fields: dict[str, str]  # name, priority, batch, created_at, started_at, attempts, worker, ...

    @property
    def outputs(self) -> dict[str, str]:
        """Where the task's files went: json/txt/pdf/original, or error/original, or duplicate."""
        return json.loads(self.fields.get("outputs") or "{}")

    def to_dict(self) -> dict[str, object]:
        return {
            **self.fields,
            "outputs": self.outputs,
            "task_id": self.task_id,
            "status": self.state.value,
            "progress": self.progress,
            "message": self.message,
        }


def set_state(
    conn: Redis,
    results: ResultSettings,
    task_id: str,
    state: TaskState,
    *,
    message: str,
    progress: int | None = None,
    outputs: dict[str, str] | None = None,
    **fields: str,
) -> None:
    """Record where a task stands: the one writer of a task's status, for the daemon, the
    worker and the faces. The record lives `results.status_ttl` from its last write.

    `progress` defaults to 100 for a final state and is left as it was otherwise;
    `fields` adds or replaces other columns, `outputs` the files the task went to.
    """
    key = task_key(task_id)
    ttl = results.status_ttl
    now = time.time()
    if progress is None and state.is_final:
        progress = 100
    mapping = {
        "state": state.value,
        **({"progress": str(progress)} if progress is not None else {}),
        "message": message,
        "updated_at": now_iso(),
        **fields,
        **({"outputs": json.dumps(outputs)} if outputs is not None else {}),
    }
    with conn.pipeline() as pipe:
        pipe.hsetnx(key, "created_at", mapping["updated_at"])
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, ttl)
        pipe.zadd(TASKS_KEY, {task_id: now}, nx=True)
        pipe.zremrangebyscore(TASKS_KEY, 0, now - ttl)
        pipe.expire(TASKS_KEY, ttl)
        pipe.execute()


WAITING_TTL = 30  # seconds: a waiting file's record outlives the daemon's refreshes by this


def set_waiting(conn: Redis, task_id: str, name: str, priority: str, why: str, ttl: int) -> None:
    """A file the daemon waits for in an inbox (empty, or a PDF without its end yet), under
    the id it will be claimed with: `docvault list` and `status` show it. It expires
    WAITING_TTL after the daemon's last refresh (the file went, or the daemon stopped);
    `ttl` is the status TTL, for the task list when this is its first entry."""
    key = task_key(task_id)
    now = time.time()
    with conn.pipeline() as pipe:
        pipe.hsetnx(key, "created_at", now_iso())
        pipe.hset(key, mapping={"state": TaskState.WAITING.value, "progress": "0", "message": why,
                                "updated_at": now_iso(), "name": name, "priority": priority})
        pipe.expire(key, WAITING_TTL)
        pipe.zadd(TASKS_KEY, {task_id: now}, nx=True)
        pipe.expire(TASKS_KEY, ttl, nx=True)
        pipe.execute()


def forget_waiting(conn: Redis, task_id: str) -> None:
    """The waiting file went before it was claimed: its record goes with it."""
    with conn.pipeline() as pipe:
        pipe.delete(task_key(task_id))
        pipe.zrem(TASKS_KEY, task_id)
        pipe.execute()


def get_status(conn: Redis, task_id: str) -> TaskStatus | None:
    raw = conn.hgetall(task_key(task_id))
    if not raw or b"state" not in raw:
        return None
    fields = {k.decode(): v.decode() for k, v in raw.items()}
    return TaskStatus(
        task_id=task_id,
        state=TaskState(fields.pop("state")),
        progress=int(fields.pop("progress", "0")),
        message=fields.pop("message", ""),
        fields=fields,
    )


def list_tasks(conn: Redis, state: TaskState | None = None, batch: str | None = None) -> list[TaskStatus]:
    """Known tasks, oldest first, optionally only those in `state` or from `batch`."""
    found = []
    for raw_id in conn.zrange(TASKS_KEY, 0, -1):
        record = get_status(conn, raw_id.decode())
        if record is None:
            continue
        if state is not None and record.state is not state:
            continue
        if batch is not None and record.fields.get("batch") != batch:
            continue
        found.append(record)
    return found


def store_result(conn: Redis, task_id: str, result: dict, ttl: int) -> None:
    conn.set(result_key(task_id), json.dumps(result, ensure_ascii=False), ex=ttl)


def get_result(conn: Redis, task_id: str) -> dict | None:
    raw = conn.get(result_key(task_id))
    return None if raw is None else json.loads(raw)


def first_with_content(conn: Redis, sha256: str, task_id: str, replaces: str | None = None) -> str | None:
    """Record `task_id` as the first task with this content, unless another task was;
    return that earlier task's id (None when this task is the first). A retry `replaces`
    its failed task: content that task brought is the retry's own, not a duplicate."""
    key = content_key(sha256)
    with conn.pipeline() as pipe:
        pipe.set(key, task_id, nx=True, ex=CONTENT_TTL)
        pipe.get(key)
        _, first = pipe.execute()
    first = first.decode() if first is not None else task_id
    if replaces is not None and first == replaces:
        conn.set(key, task_id, ex=CONTENT_TTL)
        return None
    return None if first == task_id else first


def add_to_batch(conn: Redis, batch_id: str, task_id: str, name: str, priority: str, ttl: int,
                 replaces: str | None = None) -> None:
    """Count `task_id` in the batch (instead of the failed task it `replaces`, for a
    retry); the batch lives as long as its newest task's status."""
    with conn.pipeline() as pipe:
        if replaces is not None:
            pipe.srem(batch_tasks_key(batch_id), replaces)
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


@dataclass(frozen=True, slots=True)
class Finished:
    """One finished task, as the stats need it."""

    task_id: str
    state: TaskState  # COMPLETED or FAILED
    at: float  # Unix time it finished
    seconds: float  # processing time of the last attempt
    pages: int
    host: str = ""  # the machine whose worker read it ("" in facts from before hosts were kept)

    def to_json(self) -> str:
        return json.dumps({"task_id": self.task_id, "state": self.state.value, "at": self.at,
                           "seconds": self.seconds, "pages": self.pages, "host": self.host})

    @classmethod
    def from_json(cls, raw: bytes) -> Finished:
        data = json.loads(raw)
        return cls(data["task_id"], TaskState(data["state"]), data["at"], data["seconds"], data["pages"],
                   data.get("host", ""))


def record_finished(conn: Redis, fact: Finished) -> None:
    with conn.pipeline() as pipe:
        pipe.zadd(FINISHED_KEY, {fact.to_json(): fact.at})
        pipe.zremrangebyscore(FINISHED_KEY, 0, fact.at - FINISHED_TTL)
        pipe.expire(FINISHED_KEY, FINISHED_TTL)
        pipe.execute()


def finished_since(conn: Redis, since: float) -> list[Finished]:
    return [Finished.from_json(raw) for raw in conn.zrangebyscore(FINISHED_KEY, since, "+inf")]


def beat_daemon(conn: Redis) -> bool:
    """The ingest daemon is alive; called every tick. False (and no exception) when Redis
    is away: the daemon carries on without it."""
    try:
        with conn.pipeline() as pipe:
            pipe.hset(DAEMON_KEY, mapping={"at": now_iso(), "host": socket.gethostname(),
                                           "pid": str(os.getpid())})
            pipe.expire(DAEMON_KEY, DAEMON_TTL)
            pipe.execute()
    except RedisError as exc:
        log.debug("daemon heartbeat not written: %s", exc)
        return False
    return True


def is_daemon_alive(conn: Redis) -> bool:
    return bool(conn.exists(DAEMON_KEY))


def beat_worker(conn: Redis | Pipeline, worker_name: str, ttl: int) -> None:
    """The worker `worker_name` is alive for `ttl` more seconds (its RQ heartbeat)."""
    conn.set(worker_key(worker_name), now_iso(), ex=ttl)


def forget_worker(conn: Redis, worker_name: str) -> None:
    conn.delete(worker_key(worker_name))


def is_worker_alive(conn: Redis, worker_name: str) -> bool:
    return bool(conn.exists(worker_key(worker_name)))
