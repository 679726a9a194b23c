"""The ingest daemon: watches inbox/<priority>/, claims settled files, enqueues them.

Events say where to look; a scan at start-up and a periodic rescan make sure nothing is
missed when events are lost. The work folder is reconciled with Redis on every rescan,
so a task claimed while Redis was away is queued when it returns.
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ingest import queue, settle, spool
from ingest.config import PRIORITIES, Config
from ingest.errors import DocVaultError
from ingest.settle import Candidate
from ingest.task import MANIFEST, Task

log = logging.getLogger(__name__)

TICK_SECONDS = 0.5


class _Events(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Moves count by their destination, whatever the source was called: a scanner
        # writing scan.tmp and renaming it to scan.pdf must be seen.
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.watcher.touch(Path(str(path)))


class Watcher:
    def __init__(self, config: Config, conn: Redis) -> None:
        self.config, self.conn = config, conn
        self.inbox = config.paths.inbox
        self.pending: dict[Path, Candidate] = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()  # set once watching and the first scan is done

    def is_ignored(self, path: Path) -> bool:
        rel = path.relative_to(self.inbox).parts
        return any(
            fnmatch.fnmatchcase(part, pattern) for part in rel for pattern in self.config.ingest.ignore
        )

    def touch(self, path: Path) -> None:
        """Something happened at `path`: (re)start its quiet period."""
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return
        if len(rel.parts) < 2 or rel.parts[0] not in PRIORITIES or self.is_ignored(path):
            return
        with self.lock:
            candidate = self.pending.get(path)
            if candidate is None:
                self.pending[path] = Candidate(path, time.monotonic(), settle.stat_key(path))
            else:
                candidate.last_event = time.monotonic()
                candidate.last_stat = settle.stat_key(path)

    def scan(self) -> None:
        """Look at every file in the inboxes, as if an event had just touched it."""
        for priority in PRIORITIES:
            folder = self.inbox / priority
            folder.mkdir(parents=True, exist_ok=True)
            for path in folder.rglob("*"):
                if not path.is_dir() or path.is_symlink():
                    with self.lock:
                        known = path in self.pending
                    if not known:
                        self.touch(path)

    def claim_settled(self) -> None:
        now = time.monotonic()
        with self.lock:
            candidates = list(self.pending.values())
        for candidate in candidates:
            path = candidate.path
            if path.is_dir() and not path.is_symlink():
                with self.lock:
                    del self.pending[path]
                for child in path.rglob("*"):
                    self.touch(child)
                continue
            if not settle.check(candidate, now, self.config.ingest.settle_seconds):
                if settle.stat_key(path) is None:  # gone (moved away, deleted)
                    with self.lock:
                        self.pending.pop(path, None)
                continue
            with self.lock:
                self.pending.pop(path, None)
            self.claim(path)

    def claim(self, path: Path) -> None:
        rel = path.relative_to(self.inbox)
        priority = rel.parts[0]
        try:
            task = spool.claim_file(path, priority, self.config.paths.tasks)
        except DocVaultError as exc:
            log.warning("%s: refused: %s", rel, exc.message)
            return
        except OSError as exc:
            log.warning("%s: could not be claimed yet (%s); will try again", rel, exc)
            self.touch(path)
            return
        self.enqueue(task)

    def enqueue(self, task: Task) -> None:
        try:
            queue.enqueue_task(self.conn, task, self.config)
        except RedisError as exc:
            log.warning("%s %s: Redis unavailable (%s); the file is safe in the work folder "
                        "and will be queued when Redis is back", task.id, task.name, exc)

    def reconcile(self) -> None:
        """Queue every task folder that Redis knows nothing about (lost, never queued)."""
        tasks_dir = self.config.paths.tasks
        if not tasks_dir.exists():
            return
        for folder in sorted(tasks_dir.iterdir()):
            if not (folder / MANIFEST).exists():
                continue
            try:
                if Job.exists(folder.name, connection=self.conn):
                    continue
            except RedisError:
                return
            task = Task.load(folder)
            log.info("%s %s: found in the work folder without a job; queueing it again", task.id, task.name)
            self.enqueue(task)

    def _observer(self) -> Observer:
        observer = PollingObserver(timeout=2) if self.config.ingest.polling else Observer()
        observer.schedule(_Events(self), str(self.inbox), recursive=True)
        observer.daemon = True
        observer.start()
        return observer

    def run(self, stop: threading.Event) -> None:
        for priority in PRIORITIES:
            (self.inbox / priority).mkdir(parents=True, exist_ok=True)
        observer = self._observer()
        log.info("watching %s (high, normal, low)", self.inbox)
        self.reconcile()
        self.scan()
        self.ready.set()
        next_rescan = time.monotonic() + self.config.ingest.rescan_seconds
        try:
            while not stop.wait(TICK_SECONDS):
                if not observer.is_alive():
                    log.error("the folder watcher stopped; restarting it and rescanning")
                    observer = self._observer()
                    self.scan()
                self.claim_settled()
                if time.monotonic() >= next_rescan:
                    self.reconcile()
                    self.scan()
                    next_rescan = time.monotonic() + self.config.ingest.rescan_seconds
        finally:
            observer.stop()
            observer.join(timeout=5)
