"""`docvault health`: is each part of the appliance alive? For compose healthchecks."""

from __future__ import annotations

from redis import Redis
from redis.exceptions import RedisError

from docvault.core import jobs, status

PARTS = ("redis", "watcher", "worker")


def check(conn: Redis, only: str | None = None) -> dict[str, tuple[bool, str]]:
    """part -> (healthy, why); only the part `only` when given. Without Redis nothing else
    can be seen, so the other parts count as unhealthy too."""
    wanted = [only] if only else list(PARTS)
    try:
        conn.ping()
    except RedisError as exc:
        return {part: (False, f"Redis does not answer: {exc}") for part in wanted}
    found: dict[str, tuple[bool, str]] = {"redis": (True, "answers")}
    if "watcher" in wanted:
        alive = status.is_daemon_alive(conn)
        found["watcher"] = (alive, "heartbeat fresh" if alive else
                            f"no heartbeat for {status.DAEMON_TTL} s: is `docvault watch` running?")
    if "worker" in wanted:
        alive = [w.name for w in jobs.ocr_workers(conn) if status.is_worker_alive(conn, w.name)]
        found["worker"] = (bool(alive), f"{len(alive)} worker(s) alive" if alive else
                           "no worker alive: is `docvault worker` running?")
    return {part: found[part] for part in wanted}
