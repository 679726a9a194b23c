"""Is a file completely written? Scanners and SMB clients give no reliable signal, so a
file is settled only when nothing has touched it for a while, two looks at it agree,
it can be opened, and, for a PDF, its end marker is there."""

from __future__ import annotations

import enum
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from docvault.core.config import IngestSettings

log = logging.getLogger(__name__)

PDF_TAIL_BYTES = 1024  # where readers look for %%EOF


class Verdict(enum.Enum):
    WAIT = "wait"  # still being written, or not yet quiet long enough
    READY = "ready"  # claim it now
    GONE = "gone"  # deleted or moved away before it settled


@dataclass(slots=True)
class Candidate:
    """A file seen in an inbox and not yet claimed. Mutable: each event and each check
    moves its clock on."""

    path: Path
    task_id: str  # given when first seen, so every log line about it can name it
    first_seen: float  # monotonic
    last_event: float  # monotonic time of the last event, scan or change that touched it
    last_stat: tuple[int, int, int] | None  # size, mtime_ns, inode at that time
    said_unreadable: bool = False  # the log has said once that it cannot be opened


def stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except FileNotFoundError:
        return False


def is_readable(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    os.close(fd)
    return True


def has_pdf_end(path: Path) -> bool:
    """True unless `path` is a PDF whose last kilobyte lacks %%EOF (still being written)."""
    if path.suffix.lower() != ".pdf":
        return True
    with open(path, "rb") as fh:
        fh.seek(max(0, fh.seek(0, os.SEEK_END) - PDF_TAIL_BYTES))
        return b"%%EOF" in fh.read()


def check(candidate: Candidate, now: float, settings: IngestSettings) -> Verdict:
    """READY when the file is quiet for `settle_seconds`, its size, mtime and inode are
    what they were at the last event (or the last check), it opens, and a PDF has its end
    marker (or `max_wait_seconds` have passed). A symlink, device or pipe is READY at once:
    it is never opened, only moved aside."""
    if now - candidate.last_event < settings.settle_seconds:
        return Verdict.WAIT
    path = candidate.path
    current = stat_key(path)
    if current is None:
        return Verdict.GONE
    if not is_regular(path):
        return Verdict.READY
    previous, candidate.last_stat = candidate.last_stat, current
    if current != previous:
        candidate.last_event = now  # still changing: wait another quiet period
        return Verdict.WAIT
    if not is_readable(path):
        if not candidate.said_unreadable:
            candidate.said_unreadable = True
            log.warning("%s %s: cannot be opened for reading (permissions?); waiting until it can",
                        candidate.task_id, path.name)
        candidate.last_event = now
        return Verdict.WAIT
    if not has_pdf_end(path):
        waited = now - candidate.first_seen
        if waited < settings.max_wait_seconds:
            candidate.last_event = now
            return Verdict.WAIT
        log.warning("%s %s: no %%%%EOF after %.0f s; claiming it anyway, the pipeline will judge it",
                    candidate.task_id, path.name, waited)
    return Verdict.READY
