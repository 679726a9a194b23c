"""Is a file completely written? Scanners and SMB clients give no reliable signal, so a
file is settled only when nothing has touched it for a while and two looks at it agree."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class Candidate:
    """A file seen in an inbox and not yet claimed."""

    path: Path
    last_event: float  # monotonic time of the last event or scan that touched it
    last_stat: tuple[int, int, int] | None = field(default=None)  # size, mtime_ns, inode


def stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def is_readable(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    os.close(fd)
    return True


def check(candidate: Candidate, now: float, settle_seconds: float) -> bool:
    """True when the file is quiet for `settle_seconds` and its size, mtime and inode are
    what they were at the last event (or the last check)."""
    if now - candidate.last_event < settle_seconds:
        return False
    current = stat_key(candidate.path)
    previous, candidate.last_stat = candidate.last_stat, current
    if current is None or current != previous:
        candidate.last_event = now  # still changing: wait another quiet period
        return False
    return True
