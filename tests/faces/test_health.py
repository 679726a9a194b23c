"""`docvault health` (docvault/health.py) against real Redis, the real daemon and a real
worker process."""

from __future__ import annotations

import json

from docvault import health
from tests.conftest import _free_port, docvault, wait_for


def test_healthy_only_with_redis_watcher_and_a_worker(watcher, conn, start_worker):
    assert docvault("health", check=False).returncode == 1  # nothing runs yet
    assert docvault("health", "--only", "redis", check=False).returncode == 0

    watcher()
    wait_for(lambda: health.check(conn, "watcher")["watcher"][0], what="the daemon's heartbeat")
    assert docvault("health", "--only", "watcher", check=False).returncode == 0
    assert docvault("health", check=False).returncode == 1  # still no worker

    worker = start_worker()
    wait_for(lambda: health.check(conn, "worker")["worker"][0], what="the worker's heartbeat")
    result = docvault("health", "--json")
    assert {part: value["ok"] for part, value in json.loads(result.stdout).items()} == {
        "redis": True, "watcher": True, "worker": True}

    worker.terminate()
    worker.communicate(timeout=60)
    assert docvault("health", "--only", "worker", check=False).returncode == 1


def test_unhealthy_when_redis_does_not_answer(make_config, monkeypatch):
    make_config()
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{_free_port()}/0")
    result = docvault("health", check=False)
    assert result.returncode == 1
    assert result.stdout.count("FAIL") == 3 and "Redis does not answer" in result.stdout
