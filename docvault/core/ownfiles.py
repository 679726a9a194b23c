"""Reading back the files DocVault writes for itself: batch markers, task manifests,
outbox plans, failure records, error and duplicate sidecars.

They live on shares that others can write to (a batch marker sits in a dropped folder),
so each is read as if it were hostile: never through a symbolic link, never blocking on a
pipe or a device, never more than a few kilobytes. What the caller gets is the content of
a regular file it can then check field by field (ids against their pattern, names against
`names.safe_name`); anything else raises InvalidRecord. `open_regular` is the same open
for the documents themselves, wherever the daemon reads one (settle checks, sha256,
page counts): a file swapped for a pipe never stops it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import BinaryIO

from docvault.core.errors import InvalidRecord, UnsafeFile
from docvault.core.names import display_name

RECORD_BYTES = 64 * 1024  # a manifest or sidecar is a few hundred bytes; a traceback more


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, if it is a regular file: never through a symbolic link,
    never waiting on a pipe or a device (UnsafeFile for those). FileNotFoundError when
    nothing is there; other OSErrors (permissions) as raised."""
    name = display_name(path.name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile(f"{name} is a symbolic link; it was not followed") from None
        if exc.errno == errno.EISDIR:
            raise UnsafeFile(f"{name} is a folder, not a file") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeFile(f"{name} is a pipe or device, not a file; it was not read")
    return os.fdopen(fd, "rb")


def read(path: Path, limit: int = RECORD_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them: FileNotFoundError
    when nothing is there, InvalidRecord for anything but a regular file of at most `limit`
    bytes."""
    try:
        fh = open_regular(path)
    except UnsafeFile as exc:
        raise InvalidRecord(f"{exc.message}: not a file DocVault wrote") from None
    with fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InvalidRecord(f"{path.name} is larger than {limit} bytes, larger than any file "
                            "DocVault writes there; it was not read")
    return data


def read_text(path: Path, limit: int = RECORD_BYTES) -> str:
    try:
        return read(path, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRecord(f"{path.name} is not UTF-8 text") from None


def read_json(path: Path, limit: int = RECORD_BYTES) -> dict:
    """A JSON object from `path`, read as `read` does; InvalidRecord if it is not one."""
    try:
        value = json.loads(read_text(path, limit))
    except ValueError as exc:
        raise InvalidRecord(f"{path.name} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidRecord(f"{path.name} holds no JSON object")
    return value
