"""What kind of file this is, by its content, never by its name."""

from __future__ import annotations

from pathlib import Path

from docvault.core.errors import CorruptFile, UnsupportedFile
from docvault.core.filetype import HEAD_BYTES, Kind, sniff

__all__ = ["Kind", "detect_kind"]


def detect_kind(path: Path) -> Kind:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise CorruptFile(f"{path.name} is empty (0 bytes); the copy may have failed")
    kind = sniff(head)
    if kind is not None:
        return kind
    if path.suffix.lower() == ".pdf":
        raise UnsupportedFile(f"{path.name} is not a PDF, although its name ends in .pdf")
    raise UnsupportedFile(
        f"{path.name} is not a file type DocVault reads (PDF, PNG, JPEG, TIFF, BMP, GIF, WebP)"
    )
