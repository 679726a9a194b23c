"""The lock held while a free name in the outbox is chosen and its files are written.

Two holders must never pick the same name for two documents. Processes of one machine
share the file lock in the work folder (`durable.locked`); workers on other machines
reach the share over SMB or NFS, where a file lock may not be passed between machines,
so the lock is also taken in Redis, which every machine shares. The Redis lock is a
lease, renewed while held: a holder killed mid-write blocks the others for one lease at
most. Redis away: the file lock alone (the daemon sets files aside without Redis).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from redis import Redis
from redis.exceptions import LockError, RedisError

from docvault.core import durable

log = logging.getLogger(__name__)

LOCK_KEY = "docvault:lock:outbox-names"
LEASE_SECONDS = 30


@contextlib.contextmanager
def choosing_names(lock_file: Path, conn: Redis | None) -> Iterator[None]:
    with durable.locked(lock_file):
        if conn is None:
            yield
            return
        lock = conn.lock(LOCK_KEY, timeout=LEASE_SECONDS, thread_local=False)
        try:
            lock.acquire()
        except RedisError as exc:
            log.warning("outbox names chosen under this machine's lock only (Redis: %s)", exc)
            yield
            return
        released = threading.Event()
        renewer = threading.Thread(target=_renew, args=(lock, released), daemon=True)
        renewer.start()
        try:
            yield
        finally:
            released.set()
            renewer.join()
            with contextlib.suppress(LockError, RedisError):
                lock.release()


def _renew(lock: object, released: threading.Event) -> None:
    while not released.wait(LEASE_SECONDS / 3):
        try:
            lock.reacquire()  # type: ignore[attr-defined]
        except (LockError, RedisError) as exc:
            log.warning("outbox names lock not renewed (%s)", exc)
