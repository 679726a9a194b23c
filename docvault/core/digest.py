"""A file's content identity: the sha256 that names duplicates and checks a file is ours."""

from __future__ import annotations

import hashlib
from pathlib import Path

from docvault.core.ownfiles import open_regular


def sha256_of(path: Path) -> str:
    """The content's sha256; UnsafeFile if `path` is a link, pipe or device (never followed,
    never waited on)."""
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
