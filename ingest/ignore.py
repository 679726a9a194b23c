"""What the daemon leaves alone in an inbox: hidden and system files, partial downloads,
the NAS's own folders. The patterns come from `ingest.ignore` in config.yaml."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import PurePath


def matching_pattern(rel: PurePath, patterns: Sequence[str]) -> str | None:
    """The first pattern that a component of `rel` (file or any folder above it) matches.

    Returned rather than a bool so that the log can say why a file was left alone.
    """
    for part in rel.parts:
        for pattern in patterns:
            # Case-blind, as the SMB clients that write here are: THUMBS.DB, SCAN.TMP.
            if fnmatch.fnmatchcase(part.casefold(), pattern.casefold()):
                return pattern
    return None
