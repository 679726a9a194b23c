"""Is a file completely written? A file its writer has just closed (inotify's
close_write) is, when it holds all of itself (ingest/completeness.py) and nothing has
touched it since: it is claimed at once. Otherwise, and always for a writer that
reopened the file after closing it (SMB clients, scanners appending page by page), the
close says nothing, so a file is settled only when nothing has touched it for a while,
two looks at it agree, it can be opened, it is not empty, and, for a PDF, its end marker
is there.

What is a PDF is told by its content, never by its name: a JPEG or a web page called
scan.pdf is claimed as soon as it is quiet (the pipeline then says what it is), instead of
waiting `max_wait_seconds` for an end marker that will never come. An empty file gets its
writer that long to start; `Candidate.waiting` says why a file waits, for the log (once)
and for `docvault list` / `status`."""

from __future__ import annotations

import enum
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from docvault.core.config import IngestSettings
from docvault.core.errors import UnsafeFile
from docvault.core.filetype import HEAD_BYTES, Kind, sniff
from docvault.core.ownfiles import open_regular
from ingest import completeness

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
    waiting: str = ""  # why it waits beyond its quiet period (no %%EOF yet, empty, ...); "": it does not
    said_waiting: str = ""  # the last `waiting` the log told of: each reason is said once
    shown_at: float | None = None  # monotonic time its WAITING record was last written to Redis
    closed: bool = False  # its writer closed it (or renamed it into place), nothing since
    reopened: bool = False  # written again after a close: the close says nothing for it

    def touched(self, now: float, done: bool) -> None:
        """An event at the file: `done` when its writer closed it or moved it into place."""
        if not done and self.closed:
            self.reopened = True
        self.closed = done
        self.last_event = now
        self.last_stat = stat_key(self.path)


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


def is_unfinished_pdf(path: Path) -> bool:
    """True for a file whose content starts as a PDF but whose last kilobyte lacks %%EOF
    (still being written); never for a file that is no PDF, whatever its name."""
    try:
        fh = open_regular(path)
    except UnsafeFile:  # swapped for a link or pipe since its lstat: the claim refuses it
        return False
    with fh:
        if sniff(fh.read(HEAD_BYTES)) is not Kind.PDF:
            return False
        fh.seek(max(0, fh.seek(0, os.SEEK_END) - PDF_TAIL_BYTES))
        return b"%%EOF" not in fh.read()


def check(candidate: Candidate, now: float, settings: IngestSettings) -> Verdict:
    """READY when the file is quiet for `settle_seconds`, its size, mtime and inode are
    what they were at the last event (or the last check), it opens, it is not empty and a
    PDF has its end marker (an empty file or a PDF without one: once `max_wait_seconds`
    have passed). A symlink, device or pipe is READY at once: it is never opened, only
    moved aside. A file its writer closed is READY at once when it is complete and
    unchanged since the close (see the module's docstring)."""
    if candidate.closed and not candidate.reopened and is_closed_complete(candidate):
        return Verdict.READY
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
        return _wait(candidate, now, "cannot be opened for reading (permissions?); waiting until it can",
                     logging.WARNING)
    if current[0] == 0:
        lack, why = "still empty", "is empty (0 bytes): waiting for its writer"
    elif is_unfinished_pdf(path):
        lack, why = "no %%EOF", "is a PDF without its end marker (%%EOF) yet: waiting for the rest"
    else:
        return Verdict.READY
    waited = now - candidate.first_seen
    if waited < settings.max_wait_seconds:
        return _wait(candidate, now, f"{why}, claimed anyway after {settings.max_wait_seconds:.0f} s")
    log.warning("%s %s: %s after %.0f s; claiming it anyway, the pipeline will judge it",
                candidate.task_id, path.name, lack, waited)
    return Verdict.READY


def _wait(candidate: Candidate, now: float, why: str, level: int = logging.INFO) -> Verdict:
    """Wait another quiet period for `why`, saying so in the log the first time."""
    candidate.waiting, candidate.last_event = why, now
    if candidate.said_waiting != why:
        candidate.said_waiting = why
        log.log(level, "%s %s: %s", candidate.task_id, candidate.path.name, why)
    return Verdict.WAIT


def is_closed_complete(candidate: Candidate) -> bool:
    path = candidate.path
    return (stat_key(path) == candidate.last_stat and is_regular(path) and is_readable(path)
            and completeness.is_complete(path))
