"""Does a file hold all of itself? Read from its own bytes, never its name: the end
marker of a PDF, JPEG, PNG or GIF, the size a BMP or WebP header gives, every strip or
tile of every TIFF page inside the file.

The watcher asks when a writer has just closed a file: a complete file is claimed at
once instead of after the quiet period. A kind not known here, or a file that is not
complete, waits the quiet period as before (ingest/settle.py).
"""

from __future__ import annotations

import os
import struct
import warnings
from pathlib import Path
from typing import BinaryIO

from PIL import Image, TiffImagePlugin, UnidentifiedImageError

from docvault.core.errors import UnsafeFile
from docvault.core.filetype import HEAD_BYTES, Kind, sniff
from docvault.core.ownfiles import open_regular

TAIL_BYTES = 1024  # where PDF readers look for %%EOF
# What a complete file of each kind ends with (trailing padding aside).
END_MARKERS = {Kind.PDF: b"%%EOF", Kind.JPEG: b"\xff\xd9", Kind.PNG: b"IEND\xaeB`\x82", Kind.GIF: b";"}
PADDING = b"\x00\r\n\t "
TIFF_OFFSETS = (273, 324)  # StripOffsets, TileOffsets
TIFF_COUNTS = (279, 325)  # StripByteCounts, TileByteCounts


def is_complete(path: Path) -> bool:
    """False too for what is not a regular file (read through no link, no pipe)."""
    try:
        fh = open_regular(path)
    except UnsafeFile:
        return False
    with fh:
        head = fh.read(HEAD_BYTES)
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read()
        kind = sniff(head)
        if kind is Kind.PDF:
            return END_MARKERS[kind] in tail
        if kind in END_MARKERS:
            return tail.rstrip(PADDING).endswith(END_MARKERS[kind])
        if kind is Kind.BMP and len(head) >= 6:
            return struct.unpack("<I", head[2:6])[0] == size
        if kind is Kind.WEBP:
            return struct.unpack("<I", head[4:8])[0] + 8 == size
        if kind is Kind.TIFF:
            fh.seek(0)
            return _tiff_is_whole(fh, size)
    return False


def _tiff_is_whole(fh: BinaryIO, size: int) -> bool:
    """Every page's directory reads, and its image data lies inside the file."""
    try:
        # A directory cut short makes Pillow warn ("Corrupt EXIF data"): the answer says it.
        with warnings.catch_warnings(action="ignore"), Image.open(fh) as img:
            if not isinstance(img, TiffImagePlugin.TiffImageFile):
                return False
            for frame in range(img.n_frames):
                img.seek(frame)
                ends = [offset + count
                        for offsets, counts in zip(TIFF_OFFSETS, TIFF_COUNTS)
                        for offset, count in zip(img.tag_v2.get(offsets, ()), img.tag_v2.get(counts, ()))]
                if not ends or max(ends) > size:
                    return False
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error):
        return False
    return True
