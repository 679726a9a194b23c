"""Safe file names: what a dropped file is called on disk, in the work folder and in the
outbox. The original name is kept in the task manifest and the JSON; only this safe
form is ever used as a path."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

MAX_NAME_BYTES = 200  # leaves room for ".error.json" and a "-2" suffix under 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
_EDGES = re.compile(r"^[\s.\-]+|[\s.]+$")  # hidden, option-like, or trailing dots (Windows)
# Names Windows refuses, whatever the extension: the outbox is read over SMB.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def display_name(name: str) -> str:
    """The name as dropped, as text: bytes that are not UTF-8 (an old client's Latin-1)
    become U+FFFD, so the name can go into the JSON and the logs."""
    return unicodedata.normalize("NFC", os.fsencode(name).decode("utf-8", "replace"))


def safe_name(name: str) -> str:
    """A name that is one path component, never hidden, never `..`, at most 200 bytes,
    and one Windows accepts."""
    name = _EDGES.sub("", _UNSAFE.sub("_", display_name(name))) or "document"
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(". ") or "document"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    return stem + ext


def unique_stem(folder: Path, stem: str, suffixes: Sequence[str]) -> str:
    """`stem`, or `stem-2`, `stem-3`, ...: the first for which no `stem + suffix` exists.

    An outbox name that exists already is never overwritten. Compared case-insensitively,
    so two names differing only in case stay two sets of files on an SMB share.
    """
    existing = {p.name.casefold() for p in folder.iterdir()} if folder.exists() else set()
    candidate, n = stem, 1
    while any(f"{candidate}{s}".casefold() in existing for s in suffixes):
        n += 1
        candidate = f"{stem}-{n}"
    return candidate
