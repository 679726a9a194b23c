"""The ingest daemon: watches inbox/<priority>/, claims settled files, enqueues them.

Events say where to look; a scan at start-up and a periodic rescan make sure nothing is
missed when events are lost. The work folder is reconciled with Redis and the outbox at
start-up and on every rescan, so a task claimed while Redis was away, or lost by a Redis
that was emptied, is queued when it returns. A folder watcher that stops is restarted;
one that cannot be restarted stops the daemon with an error, never leaves it deaf.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from docvault.core import sidecars, status
from docvault.core.config import PRIORITIES, Config
from docvault.core.errors import DocVaultError, WatcherDied
from docvault.core.names import display_name, safe_name
from docvault.core.names_lock import choosing_names
from docvault.core.status import TaskState
from docvault.core.task import Task, new_task_id
from ingest import batch, faults, reconcile, settle, spool
from ingest.ignore import matching_pattern
from ingest.intake import Intake
from ingest.settle import Candidate, Verdict

log = logging.getLogger(__name__)

TICK_SECONDS = 0.5
STOP_POLL_SECONDS = 0.1  # how soon the loop sees `stop`
CLAIM_THREADS = 4
MAX_RESTARTS = 3  # observer restarts within RESTART_WINDOW before the daemon gives up
RESTART_WINDOW = 60.0
OWN_FILES = {batch.MARKER, f".{batch.MARKER}.part", ".gitkeep"}  # in inboxes, not dropped there
# What can mean "a file arrived or changed". Not opened / closed-without-writing: our own
# reads (settle checks, sha256) would keep restarting the quiet period.
EVENTS = [FileCreatedEvent, FileModifiedEvent, FileAttribEvent, FileClosedEvent, FileMovedEvent,
          DirCreatedEvent, DirMovedEvent]


class _Events(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Moves count by their destination, whatever the source was called: a scanner
        # writing scan.tmp and renaming it to scan.pdf must be seen.
        path = Path(os.fsdecode(getattr(event, "dest_path", "") or event.src_path))
        try:
            if event.is_directory:
                self.watcher.scan_tree(path)
            else:  # closed after writing, or renamed into place: perhaps complete now
                self.watcher.touch(path, done=isinstance(event, (FileClosedEvent, FileMovedEvent)))
        except Exception:  # noqa: BLE001 - an exception here would end the observer thread
            log.exception("%s: could not handle a %s event; the next rescan will look again",
                          path, event.event_type)


class Watcher:
    def __init__(self, config: Config, conn: Redis, fault: str = "") -> None:
        self.config, self.conn, self.fault = config, conn, fault
        self.inbox = config.paths.inbox
        self.pending: dict[Path, Candidate] = {}
        self.ignored: set[Path] = set()  # logged once each
        self.lock = threading.Lock()
        self.ready = threading.Event()  # set once watching and the first scan is done
        self.closed = threading.Event()  # a file was closed or moved into place: look now
        self.observer: BaseObserver | None = None
        self.restarts: list[float] = []  # monotonic times of recent observer restarts
        self.batch_lock = threading.Lock()
        self.intake = Intake(conn, config)
        # Claims wait on fsync; a few at once share the disk's flushes.
        self.claimers = ThreadPoolExecutor(CLAIM_THREADS, thread_name_prefix="claim")

    def touch(self, path: Path, done: bool = False) -> None:
        """Something happened at `path`: (re)start its quiet period. `done`: its writer
        closed it or moved it into place (see settle.py)."""
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return
        if len(rel.parts) < 2 or rel.parts[0] not in PRIORITIES:
            why = "not inside inbox/high, inbox/normal or inbox/low"
        else:
            pattern = matching_pattern(rel, self.config.ingest.ignore)
            why = f"matches {pattern!r} in ingest.ignore" if pattern else ""
        now = time.monotonic()
        with self.lock:
            if why:
                if path not in self.ignored:
                    self.ignored.add(path)
                    # DocVault's own markers and the repo's .gitkeep are no news to anyone.
                    level = logging.DEBUG if path.name in OWN_FILES else logging.INFO
                    log.log(level, "inbox/%s: ignored (%s); left where it is", rel, why)
                return
            candidate = self.pending.get(path)
            if candidate is None:
                candidate = Candidate(path, new_task_id(), now, now, settle.stat_key(path), closed=done)
                self.pending[path] = candidate
                log.info("%s %s: seen in inbox/%s", candidate.task_id, display_name(path.name),
                         rel.parent)
            else:
                candidate.touched(now, done)
        if done:  # complete perhaps: claim it now, not at the next tick
            self.closed.set()

    def scan_tree(self, folder: Path) -> None:
        """Look at every file below `folder`, as if an event had just touched it (files
        already waiting keep their clock). Ignored folders are not entered."""
        if folder != self.inbox and matching_pattern(folder.relative_to(self.inbox), self.config.ingest.ignore):
            return
        for root, dirs, files in os.walk(folder):
            here = Path(root)
            kept = []
            for name in dirs:
                sub = here / name
                if os.path.islink(sub):
                    files.append(name)  # a link to a folder is a link: set aside, never followed
                elif matching_pattern(sub.relative_to(self.inbox), self.config.ingest.ignore) is None:
                    kept.append(name)
            dirs[:] = kept
            for name in files:
                path = here / name
                with self.lock:
                    known = path in self.pending
                if not known:
                    self.touch(path)

    def scan(self) -> None:
        """The full scan: every inbox, at start-up and every ingest.rescan_seconds."""
        with self.lock:
            self.ignored = {p for p in self.ignored if os.path.lexists(p)}
        for priority in PRIORITIES:
            folder = self.inbox / priority
            folder.mkdir(parents=True, exist_ok=True)
            self.scan_tree(folder)
            for dropped in folder.iterdir():
                if dropped.is_dir() and not dropped.is_symlink():
                    batch.remove_if_consumed(dropped, self.config.ingest.rescan_seconds)

    def claim_settled(self) -> None:
        now = time.monotonic()
        with self.lock:
            candidates = list(self.pending.values())
        ready = []
        for candidate in candidates:
            try:
                verdict = settle.check(candidate, now, self.config.ingest)
            except OSError as exc:
                log.warning("%s %s: could not be checked (%s); will try again",
                            candidate.task_id, display_name(candidate.path.name), exc)
                self.touch(candidate.path)
                continue
            if verdict is Verdict.WAIT:
                if candidate.waiting:
                    self.show_waiting(candidate, now)
                continue
            with self.lock:
                self.pending.pop(candidate.path, None)
            if verdict is Verdict.READY:
                ready.append(candidate)
            else:
                log.info("%s %s: gone before it settled (moved away or deleted)",
                         candidate.task_id, display_name(candidate.path.name))
                if candidate.shown_at is not None:
                    self._quietly(status.forget_waiting, self.conn, candidate.task_id)
        list(self.claimers.map(self._claim_guarded, ready))

    def show_waiting(self, candidate: Candidate, now: float) -> None:
        """Let `docvault list` and `status` show a file that waits, and why; refreshed
        while it waits, so that the record expires soon after it stops waiting."""
        if candidate.shown_at is not None and now - candidate.shown_at < status.WAITING_TTL / 3:
            return
        candidate.shown_at = now
        priority = candidate.path.relative_to(self.inbox).parts[0]
        self._quietly(status.set_waiting, self.conn, candidate.task_id, display_name(candidate.path.name),
                      priority, candidate.waiting, self.config.results.status_ttl)

    @staticmethod
    def _quietly(write: Callable[..., None], *args: object) -> None:
        """A write only for people watching: without Redis, the daemon carries on."""
        try:
            write(*args)
        except RedisError as exc:
            log.debug("status of a waiting file not written: %s", exc)

    def _claim_guarded(self, candidate: Candidate) -> None:
        try:
            self.claim(candidate)
        except Exception:  # noqa: BLE001 - one bad file must not stop the daemon
            log.exception("%s %s: unexpected error while claiming; will try again",
                          candidate.task_id, display_name(candidate.path.name))
            self.touch(candidate.path)

    def claim(self, candidate: Candidate) -> None:
        path, task_id = candidate.path, candidate.task_id
        rel = path.relative_to(self.inbox)
        name = display_name(path.name)
        folder = batch.batch_folder(rel)
        with self.batch_lock:  # one id per dropped folder, whichever claim asks first
            batch_id = batch.batch_id(self.inbox / folder) if folder else None
        relpath = batch.relpath(rel) if folder else None
        try:
            task = spool.start_claim(path, task_id, rel.parts[0], self.config.paths.tasks,
                                     batch_id, relpath)
        except DocVaultError as exc:
            self.refuse(path, rel, task_id, exc, batch_id)
            return
        except OSError as exc:
            log.warning("%s %s: could not be claimed yet (%s); will try again", task_id, name, exc)
            self.touch(path)
            return
        log.info("%s %s: claimed from inbox/%s%s", task_id, name, rel.parent,
                 f" (batch {batch_id})" if batch_id else "")
        faults.trip("moved", self.fault, task_id, name)
        try:
            task = self.finish(task)
        except RedisError as exc:
            log.warning("%s %s: Redis unavailable (%s); the file is safe in the work folder "
                        "and will be queued when Redis is back", task.id, task.name, exc)
            return
        faults.trip("claimed", self.fault, task.id, task.name)
        self.dispatch(task)

    def finish(self, task: Task) -> Task:
        return self.intake.finish(task)

    def dispatch(self, task: Task) -> None:
        try:
            self.intake.dispatch(task)
        except RedisError as exc:
            log.warning("%s %s: Redis unavailable (%s); the file is safe in the work folder "
                        "and will be queued when Redis is back", task.id, task.name, exc)

    def refuse(self, path: Path, rel: Path, task_id: str, exc: DocVaultError, batch_id: str | None) -> None:
        """A symlink, device or pipe: moved aside unread, with a sidecar saying why."""
        name = display_name(path.name)
        record = sidecars.ErrorSidecar.from_exception(task_id, name, exc, attempts=0)
        with choosing_names(self.config.paths.names_lock, self.conn):
            sidecar = sidecars.set_aside(path, safe_name(path.name), self.config.paths.failed, record)
        log.warning("%s %s: refused: %s -> failed/%s", task_id, name, exc.message, sidecar.name)
        try:
            status.set_state(self.conn, self.config.results, task_id, TaskState.FAILED,
                             message=exc.message, name=name,
                             outputs={"error": self.config.paths.in_outbox(sidecar)})
            if batch_id:
                status.add_to_batch(self.conn, batch_id, task_id, safe_name(rel.parts[1]), rel.parts[0],
                                    self.config.results.status_ttl)
        except RedisError as exc:
            log.warning("%s %s: Redis unavailable (%s); the refusal is only in outbox/failed",
                        task_id, name, exc)

    def reconcile(self) -> None:
        reconcile.reconcile(self.config, self.conn, self.finish, self.dispatch, self.intake.fail)

    def _start_observer(self) -> BaseObserver:
        observer = PollingObserver(timeout=2) if self.config.ingest.polling else Observer()
        observer.schedule(_Events(self), str(self.inbox), recursive=True, event_filter=EVENTS)
        observer.daemon = True
        try:
            for priority in PRIORITIES:
                (self.inbox / priority).mkdir(parents=True, exist_ok=True)
            observer.start()
        except OSError as exc:
            raise WatcherDied(f"cannot watch {self.inbox} ({exc}); if it is a network mount or the "
                              "inotify watch limit is reached, set ingest.polling: true") from exc
        return observer

    def _is_listening(self) -> bool:
        observer = self.observer
        return (observer is not None and observer.is_alive() and bool(observer.emitters)
                and all(emitter.is_alive() for emitter in observer.emitters))

    def _restart_observer(self) -> None:
        missing = [p for p in PRIORITIES if not (self.inbox / p).is_dir()]
        why = f"inbox/{', inbox/'.join(missing)} disappeared" if missing else "its thread ended"
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW] + [now]
        if len(self.restarts) > MAX_RESTARTS:
            raise WatcherDied(f"the folder watcher stopped {len(self.restarts)} times within "
                              f"{RESTART_WINDOW:.0f} s ({why}); exiting so that the daemon is restarted")
        log.error("the folder watcher stopped (%s); restarting it and rescanning", why)
        if self.observer is not None:
            self.observer.stop()
        self.observer = self._start_observer()
        self.scan()

    def run(self, stop: threading.Event) -> None:
        self.observer = self._start_observer()
        log.info("watching %s (high, normal, low)", self.inbox)
        try:
            self.reconcile()
            self.scan()
            self.ready.set()
            next_rescan = time.monotonic() + self.config.ingest.rescan_seconds
            next_tick = time.monotonic() + TICK_SECONDS
            while not stop.is_set():
                # A file closed by its writer is claimed at once; the rest waits for the tick.
                if not self.closed.wait(STOP_POLL_SECONDS) and time.monotonic() < next_tick:
                    continue
                self.closed.clear()
                next_tick = time.monotonic() + TICK_SECONDS
                status.beat_daemon(self.conn)
                if not self._is_listening():
                    self._restart_observer()
                self.claim_settled()
                if time.monotonic() >= next_rescan:
                    self.reconcile()
                    self.scan()
                    next_rescan = time.monotonic() + self.config.ingest.rescan_seconds
        finally:
            self.claimers.shutdown()
            if self.observer is not None:
                self.observer.stop()
                self.observer.join(timeout=5)
