"""How long the ingest daemon takes to claim and enqueue 1,000 files, and its peak memory.

Runs the real daemon (`docvault watch`) as a process against a throwaway redis-server
and temporary folders, drops 1,000 small files across the three inboxes at once, and
times from the first drop to the last job on the queues. Run: `python -m bench.ingest_bench`.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from redis import Redis

from docvault import redis_server
from docvault.core.config import PRIORITIES
from docvault.core.jobs import all_queues
from tests.conftest import _free_port  # dev tooling, like the tests: one free-port helper

FILES = 1000
SETTLE_SECONDS = 2.0  # the shipped default; not waited: each file is closed complete


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc: peak memory needs Linux")


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def run(root: Path) -> dict[str, float]:
    url = f"redis://127.0.0.1:{_free_port()}/0"
    redis_proc = redis_server.start_local(url, root / "redis")
    conn = Redis.from_url(url)
    config = root / "config.yaml"
    config.write_text(yaml.safe_dump({
        "redis": {"url": url},
        "paths": {"inbox": "inbox", "outbox": "outbox", "work": "work"},
        "ingest": {"settle_seconds": SETTLE_SECONDS},
    }))
    log = (root / "watch.log").open("w")
    daemon = subprocess.Popen([sys.executable, "-m", "docvault.cli", "--config", str(config), "watch"],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: "watching" in (root / "watch.log").read_text(), 30, "the daemon to start")
        started = time.monotonic()
        for n in range(FILES):
            folder = root / "inbox" / PRIORITIES[n % 3]
            (folder / f"scan-{n:04d}.pdf").write_bytes(b"%PDF-1.4\n" + bytes(2048) + b"\n%%EOF\n")
        dropped = time.monotonic()
        _wait(lambda: sum(q.count for q in all_queues(conn)) >= FILES, 600, f"{FILES} jobs")
        done = time.monotonic()
        peak = _peak_rss_mb(daemon.pid)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        log.close()
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
    return {"seconds": done - started, "drop_seconds": dropped - started, "peak_rss_mb": peak}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="docvault-bench-") as tmp:
        result = run(Path(tmp))
    print(f"ingest: {FILES} files claimed and enqueued in {result['seconds']:.1f} s from the first drop "
          f"(dropping took {result['drop_seconds']:.1f} s; settle_seconds={SETTLE_SECONDS:g} not waited, "
          f"each file is claimed when its writer closes it complete; "
          f"{FILES / result['seconds']:.0f} files/s); daemon peak RSS {result['peak_rss_mb']:.1f} MB")


if __name__ == "__main__":
    main()
