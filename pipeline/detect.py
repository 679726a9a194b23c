"""What kind of file this is, by its content, never by its name."""

from __future__ import annotations

import enum
from pathlib import Path

from ingest.errors import CorruptFile, UnsupportedFile


class Kind(enum.Enum):
    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"
    TIFF = "image/tiff"
    BMP = "image/bmp"
    GIF = "image/gif"
    WEBP = "image/webp"

    @property
    def is_image(self) -> bool:
        return self is not Kind.PDF


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", Kind.PNG),
    (b"\xff\xd8\xff", Kind.JPEG),
    (b"II*\x00", Kind.TIFF),
    (b"MM\x00*", Kind.TIFF),
    (b"BM", Kind.BMP),
    (b"GIF87a", Kind.GIF),
    (b"GIF89a", Kind.GIF),
)


def detect_kind(path: Path) -> Kind:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise CorruptFile(f"{path.name} is empty (0 bytes); the copy may have failed")
    # Some writers put junk before the header; PDF readers accept it within 1 KB.
    if b"%PDF-" in head:
        return Kind.PDF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.WEBP
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if path.suffix.lower() == ".pdf":
        raise UnsupportedFile(f"{path.name} is not a PDF, although its name ends in .pdf")
    raise UnsupportedFile(
        f"{path.name} is not a file type DocVault reads (PDF, PNG, JPEG, TIFF, BMP, GIF, WebP)"
    )
