"""A real `docvault` command running for a benchmark, on a throwaway redis-server and
folders of its own."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from docvault import redis_server
from tests.conftest import _free_port  # dev tooling, like the tests: one free-port helper


@dataclass(frozen=True)
class Running:
    proc: subprocess.Popen  # the docvault command
    redis_proc: subprocess.Popen
    url: str  # its Redis
    log: Path  # what the command printed


@contextmanager
def running(root: Path, command: str, settings: dict) -> Iterator[Running]:
    """`docvault COMMAND` with inbox, outbox and work folders under `root` and `settings`
    (config.yaml sections) on top, in a session of its own; stopped as systemd would
    (SIGTERM), then its Redis."""
    url = f"redis://127.0.0.1:{_free_port()}/0"
    redis_proc = redis_server.start_local(url, root / "redis")
    config = root / "config.yaml"
    config.write_text(yaml.safe_dump({
        "redis": {"url": url},
        "paths": {"inbox": "inbox", "outbox": "outbox", "work": "work"},
        **settings,
    }))
    log = root / f"{command}.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "docvault.cli", "--config", str(config), command],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield Running(proc, redis_proc, url, log)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
            redis_proc.terminate()
            redis_proc.wait(timeout=30)
