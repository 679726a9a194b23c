"""Is a page blank? Decided on a small copy in a few milliseconds, before any OCR.

A duplex scanner's empty backsides are white with scanner noise: specks, a faint
bleed-through, a dark edge where the lid shadows the glass. The page is shrunk to about
75 dpi by averaging, which washes specks and faint tones out and leaves every letter
as a dark blot; the margins are ignored; what stays dark is ink. The threshold is the
ink of a few characters, so a page with a single short word is never taken for blank.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

CHECK_DPI = 75
MARGIN = 0.01  # share of each side ignored: scanner edges and lid shadows (text can sit
# as close as 2 % to the edge: document.webp)
DARK = 160  # 0-255: darker than this (after averaging) is ink
# Dark pixels (at 75 dpi) below which a page is blank: less than two 10 pt letters.
MAX_INK_PIXELS = 12


def is_blank(image: Path, dpi: int) -> bool:
    return ink_pixels(image, dpi) < MAX_INK_PIXELS


def ink_pixels(image: Path, dpi: int) -> int:
    with Image.open(image) as img:
        factor = max(1, round(dpi / CHECK_DPI))
        full = img.size
        size = (max(1, full[0] // factor), max(1, full[1] // factor))
        # A JPEG is decoded at 1/2, 1/4 or 1/8 of its size when that is enough (a no-op
        # for other files): a fraction of the full decode, averaging all the same.
        img.draft("L", size)
        gray = img.convert("L")
        small = gray.reduce(factor) if gray.size == full else gray.resize(size, Image.Resampling.BOX)
    width, height = small.size
    dx, dy = int(width * MARGIN), int(height * MARGIN)
    inner = small.crop((dx, dy, width - dx, height - dy))
    return sum(inner.histogram()[:DARK])
