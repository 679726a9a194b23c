"""The ingest daemon for the tests: in a thread (start, stop, start again) or as a real
`docvault watch` process, and what it left in Redis and the work folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis import Redis

from docvault.core.config import Config
from docvault.core.jobs import all_queues
from docvault.core.status import DAEMON_KEY
from docvault.core.task import Task
from ingest.watcher import Watcher
from tests.conftest import REPO, wait_for


@dataclass
class Running:
    watcher: Watcher
    thread: threading.Thread
    stop_event: threading.Event
    errors: list[BaseException] = field(default_factory=list)

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the watcher did not stop"


@pytest.fixture
def daemon(conn: Redis) -> Iterator[Callable[[Config], Running]]:
    """Start a Watcher on `config` in a thread; each call starts a fresh one."""
    started: list[Running] = []

    def start(config: Config, wait_ready: bool = True) -> Running:
        watcher = Watcher(config, conn)
        running = Running(watcher, threading.Thread(daemon=True), threading.Event())

        def run() -> None:
            try:
                watcher.run(running.stop_event)
            except BaseException as exc:  # noqa: BLE001 - kept for the test to assert on
                running.errors.append(exc)

        running.thread = threading.Thread(target=run, daemon=True)
        running.thread.start()
        started.append(running)
        if wait_ready:
            assert watcher.ready.wait(15), "the watcher did not start"
        return running

    yield start
    for running in started:
        running.stop()


def watch_process(fault: str = "") -> subprocess.Popen:
    """A real `docvault watch` process, with this test's config and Redis (environment)."""
    env = dict(os.environ)
    env.pop("DOCVAULT_FAULT", None)
    if fault:
        env["DOCVAULT_FAULT"] = fault
    return subprocess.Popen([sys.executable, "-m", "docvault.cli", "watch"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def watch_daemon() -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real `docvault watch` processes; any still running at the end (one blocked on
    a pipe, say) are killed."""
    procs: list[subprocess.Popen] = []

    def start(fault: str = "") -> subprocess.Popen:
        procs.append(watch_process(fault))
        return procs[-1]

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def daemon_alive(conn: Redis, proc: subprocess.Popen) -> bool:
    """The process runs and has started its loop (its heartbeat is in Redis)."""
    return proc.poll() is None and bool(conn.exists(DAEMON_KEY))


def stop_process(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    return err


def queued_ids(conn: Redis) -> list[str]:
    """Job ids on the three queues, with repeats if a task was queued twice."""
    return [job_id for q in all_queues(conn) for job_id in q.job_ids]


def wait_queued(conn: Redis, count: int, timeout: float = 30) -> list[str]:
    return wait_for(lambda: (ids := queued_ids(conn)) and len(ids) >= count and ids,
                    timeout=timeout, what=f"{count} job(s) on the queues")


def tasks(config: Config) -> list[Task]:
    folders = sorted(config.paths.tasks.iterdir()) if config.paths.tasks.exists() else []
    return [Task.load(folder) for folder in folders]


def inbox_files(config: Config) -> list[Path]:
    return sorted(p for p in config.paths.inbox.rglob("*") if p.is_file() or p.is_symlink())
