"""What kind of file this is, by its first bytes, never by its name.

Shared by the pipeline (which reads the file) and the HTTP API (which refuses an
upload the pipeline could not read before it is queued).
"""

from __future__ import annotations

import enum


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


HEAD_BYTES = 1024
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", Kind.PNG),
    (b"\xff\xd8\xff", Kind.JPEG),
    (b"II*\x00", Kind.TIFF),
    (b"MM\x00*", Kind.TIFF),
    (b"BM", Kind.BMP),
    (b"GIF87a", Kind.GIF),
    (b"GIF89a", Kind.GIF),
)


def sniff(head: bytes) -> Kind | None:
    """The kind of a file from its first HEAD_BYTES bytes, or None if DocVault can't read it."""
    # Some writers put junk before the header; PDF readers accept it within 1 KB.
    if b"%PDF-" in head[:HEAD_BYTES]:
        return Kind.PDF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.WEBP
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None
