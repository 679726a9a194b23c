"""An image input as PDF pages, its pixels as they are: img2pdf puts a JPEG in as it is,
a PNG's compressed data without decoding it, a CCITT G4 TIFF as G4 (1-bit stays 1-bit),
one page per frame, each page the image's size at the resolution it was read at.

What img2pdf will not take as it is (an alpha channel, a format it does not know) is
flattened on white and stored losslessly as PNG data, in colour: the page then looks as
a viewer shows the image.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import img2pdf
from PIL import Image, ImageSequence

log = logging.getLogger(__name__)


def image_pdf(image: Path, target: Path, dpis: list[int]) -> None:
    """`image` as a PDF at `target`, frame n at dpis[n] (the resolution it was read at)."""
    try:
        with open(target, "wb") as out:
            img2pdf.convert(str(image), layout_fun=_layout(dpis), outputstream=out)
        return
    except (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError, OSError) as exc:
        log.debug("%s: img2pdf will not take it as it is (%s); flattening it", image.name, exc)
    with open(target, "wb") as out:
        img2pdf.convert(list(_flattened(image)), layout_fun=_layout(dpis), outputstream=out)


def _layout(dpis: list[int]) -> Callable[[int, int, object], tuple[float, float, float, float]]:
    """img2pdf asks for one page size per frame, in order."""
    frames = iter(dpis)

    def layout(width: int, height: int, _dpi: object) -> tuple[float, float, float, float]:
        dpi = next(frames, dpis[-1]) or 300
        page_w, page_h = width * 72 / dpi, height * 72 / dpi
        return page_w, page_h, page_w, page_h

    return layout


def _flattened(image: Path) -> Iterator[bytes]:
    with Image.open(image) as img:
        for frame in ImageSequence.Iterator(img):
            yield _png(frame)


def _png(frame: Image.Image) -> bytes:
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba).convert("RGB")
    elif frame.mode not in ("1", "L", "RGB", "P"):
        frame = frame.convert("RGB")
    data = io.BytesIO()
    frame.save(data, format="PNG")
    return data.getvalue()
