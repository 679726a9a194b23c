"""Pages of known text for the tests, to put in a PDF as a scanner would
(bench/handmade.py's image_pdf)."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont


def text_page(lines: list[str], dpi: int = 300, mode: str = "L") -> Image.Image:
    """A Letter page with `lines` in 10 pt at `dpi`."""
    size = (int(8.5 * dpi), 11 * dpi)
    page = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=round(10 * dpi / 72))
    for n, line in enumerate(lines):
        draw.text((dpi, dpi + n * round(dpi * 0.27)), line, fill="black", font=font)
    return page
