"""The outbox names lock between machines: Redis carries it where the file lock cannot
(two machines' file locks are modelled by two lock files)."""

from __future__ import annotations

import threading
import time

from docvault.core import names_lock
from docvault.core.names_lock import choosing_names


def test_a_holder_on_another_machine_waits_for_the_lock(tmp_path, conn, monkeypatch):
    monkeypatch.setattr(names_lock, "LEASE_SECONDS", 1)  # renewed while held: outlasted here
    events: list[str] = []
    holding = threading.Event()

    def nas() -> None:
        with choosing_names(tmp_path / "nas.lock", conn):
            events.append("nas in")
            holding.set()
            time.sleep(2.5)
            events.append("nas out")

    thread = threading.Thread(target=nas)
    thread.start()
    assert holding.wait(10)
    with choosing_names(tmp_path / "pc.lock", conn):
        events.append("pc in")
    thread.join()
    assert events == ["nas in", "nas out", "pc in"]
    assert not conn.exists(names_lock.LOCK_KEY)


def test_the_lock_of_a_killed_holder_lapses_after_its_lease(tmp_path, conn, monkeypatch):
    monkeypatch.setattr(names_lock, "LEASE_SECONDS", 1)
    conn.lock(names_lock.LOCK_KEY, timeout=1).acquire()  # taken, then never released or renewed
    started = time.monotonic()
    with choosing_names(tmp_path / "pc.lock", conn):
        waited = time.monotonic() - started
    assert 0.5 < waited < 5


def test_without_redis_the_file_lock_alone_is_taken(tmp_path):
    with choosing_names(tmp_path / "nas.lock", None):
        assert (tmp_path / "nas.lock").exists()
