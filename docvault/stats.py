"""`docvault stats`: what the appliance is doing and how well it has been doing it.

Queue lengths and workers come from RQ; the figures for the last hour and day from the
finished-task facts the job records (`status.record_finished`, kept one day).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

from redis import Redis

from docvault.core import status
from docvault.core.jobs import all_queues, ocr_workers
from docvault.core.status import TaskState

HOUR, DAY = 3600, 86400


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    name: str
    host: str  # the machine it runs on
    state: str  # RQ's: idle, busy, suspended, ...
    task_id: str | None  # the task it is on
    alive: bool  # its DocVault heartbeat is fresh


@dataclass(frozen=True, slots=True)
class Counts:
    completed: int
    failed: int


@dataclass(frozen=True, slots=True)
class Stats:
    queued: dict[str, int]  # per priority: waiting now
    scheduled: dict[str, int]  # per priority: waiting for a retry
    workers: list[WorkerInfo]
    last_hour: Counts
    last_day: Counts
    mean_seconds: float | None  # processing time of completed tasks, last day
    p95_seconds: float | None
    pages_per_minute: float | None  # pages read per minute of processing, last day
    success_rate: float | None  # completed / (completed + failed), last day, 0-1
    by_host: dict[str, Counts]  # last day, per machine whose workers read the tasks

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: a value that occurred, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def collect(conn: Redis, now: float | None = None) -> Stats:
    now = time.time() if now is None else now
    queues = all_queues(conn)
    workers = [
        WorkerInfo(w.name, w.hostname or "?", str(w.get_state()), w.get_current_job_id(),
                   status.is_worker_alive(conn, w.name))
        for w in ocr_workers(conn)
    ]
    day = status.finished_since(conn, now - DAY)
    hour = [f for f in day if f.at >= now - HOUR]
    done = [f for f in day if f.state is TaskState.COMPLETED]
    seconds = [f.seconds for f in done]
    busy = sum(seconds)
    ended = len(day)
    return Stats(
        queued={q.name: q.count for q in queues},
        scheduled={q.name: q.scheduled_job_registry.count for q in queues},
        workers=workers,
        last_hour=_counts(hour),
        last_day=_counts(day),
        mean_seconds=round(busy / len(seconds), 2) if seconds else None,
        p95_seconds=round(percentile(seconds, 95), 2) if seconds else None,
        pages_per_minute=round(sum(f.pages for f in done) / busy * 60, 2) if busy else None,
        success_rate=round(len(done) / ended, 4) if ended else None,
        by_host={host: _counts([f for f in day if (f.host or "?") == host])
                 for host in sorted({f.host or "?" for f in day})},
    )


def _counts(facts: list[status.Finished]) -> Counts:
    return Counts(sum(f.state is TaskState.COMPLETED for f in facts),
                  sum(f.state is TaskState.FAILED for f in facts))
