"""File operations that survive a power cut: a file is either all there or not there.

The work folder is the record of truth, so every write into it or into the outbox goes
through a temporary name, an fsync and a rename.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all. The temporary file is created afresh, never
    opened through a link someone left under its name (a batch marker's folder is the
    dropper's); the rename replaces a link at `path` itself, never its target."""
    tmp = path.with_name(f".{path.name}.part")
    if os.path.lexists(tmp):
        os.unlink(tmp)  # a crash's leftover, or a planted link
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def move(src: Path, dst: Path) -> None:
    """Rename src to dst; across filesystems (EXDEV), copy, fsync, rename, then unlink.

    Never overwrites: dst must not exist (the caller chose a unique name).
    """
    if dst.exists():
        raise FileExistsError(errno.EEXIST, "refusing to overwrite", str(dst))
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        tmp = dst.with_name(f".{dst.name}.part")
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1024 * 1024)
            fout.flush()
            os.fsync(fout.fileno())
        shutil.copystat(src, tmp)
        os.replace(tmp, dst)
        fsync_dir(dst.parent)
        os.unlink(src)
    else:
        fsync_dir(dst.parent)


@contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """An exclusive lock between processes and threads of this machine (flock on a file
    opened for this holder): choosing a free outbox name and writing the files under it
    become one step, so two workers never pick the same name for two documents."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
