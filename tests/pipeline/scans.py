"""One-page PDFs holding a JPEG as a scanner writes it, or placed as a test needs:
turned, on part of the page, under a /Rotate, with a line of text beside it."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bench.handmade import pdf_bytes

LETTER_PT = (612, 792)


def text_page(lines: list[str], dpi: int = 300, mode: str = "L") -> Image.Image:
    """A Letter page with `lines` in 10 pt at `dpi`."""
    size = (int(8.5 * dpi), 11 * dpi)
    page = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=round(10 * dpi / 72))
    for n, line in enumerate(lines):
        draw.text((dpi, dpi + n * round(dpi * 0.27)), line, fill="black", font=font)
    return page


def jpeg_pdf(target: Path, image: Image.Image, placement: str = "", page_pt: tuple[float, float] = LETTER_PT,
             rotate: int = 0, text: str = "") -> Path:
    """`image` as a DCT (JPEG) image XObject drawn with the matrix `placement` (default:
    upright over the whole page), on a page of `page_pt`, with /Rotate `rotate` and
    `text` written in Helvetica at the bottom."""
    jpeg = io.BytesIO()
    image.save(jpeg, "JPEG", quality=85)
    width, height = page_pt
    placement = placement or f"{width} 0 0 {height} 0 0"
    content = f"q {placement} cm /Im0 Do Q".encode()
    if text:
        content += f" BT /F1 10 Tf 36 20 Td ({text}) Tj ET".encode()
    colour = "/DeviceGray" if image.mode == "L" else "/DeviceRGB"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Rotate {rotate} "
         "/Resources << /XObject << /Im0 4 0 R >> /Font << /F1 6 0 R >> >> /Contents 5 0 R >>").encode(),
        (f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
         f"/ColorSpace {colour} /BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpeg.getvalue())} >>\n"
         "stream\n").encode() + jpeg.getvalue() + b"\nendstream",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    target.write_bytes(pdf_bytes(objects))
    return target
