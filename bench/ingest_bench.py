"""How long the ingest daemon takes to claim and enqueue 1,000 files, and its peak memory.

Runs the real daemon (`docvault watch`) as a process against a throwaway redis-server
and temporary folders, drops 1,000 small files across the three inboxes at once, and
times from the first drop to the last job on the queues. Run: `python -m bench.ingest_bench`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from redis import Redis

from bench.running import running
from docvault.core.config import PRIORITIES
from docvault.core.jobs import all_queues

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
    with running(root, "watch", {"ingest": {"settle_seconds": SETTLE_SECONDS}}) as watch:
        conn = Redis.from_url(watch.url)
        _wait(lambda: "watching" in watch.log.read_text(), 30, "the daemon to start")
        started = time.monotonic()
        for n in range(FILES):
            folder = root / "inbox" / PRIORITIES[n % 3]
            (folder / f"scan-{n:04d}.pdf").write_bytes(b"%PDF-1.4\n" + bytes(2048) + b"\n%%EOF\n")
        dropped = time.monotonic()
        _wait(lambda: sum(q.count for q in all_queues(conn)) >= FILES, 600, f"{FILES} jobs")
        done = time.monotonic()
        peak = _peak_rss_mb(watch.proc.pid)
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
