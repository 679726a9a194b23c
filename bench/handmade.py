"""PDFs written object by object: the benchmark's born-digital input and scans, and the
tests' scans with an image placed as each test needs (tests/pipeline/scans.py)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

from PIL import Image

LETTER_PT = (612, 792)


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (numbered from 1; the first is the catalog) with its xref table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encoded(image: Image.Image, encoding: str) -> tuple[bytes, str]:
    """`image`'s stream and its /Filter (and /DecodeParms) entries, as a scanner writes it:
    jpeg (8-bit gray or RGB), flate (any of 1-bit, gray, RGB) or g4 (1-bit)."""
    if encoding == "jpeg":
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue(), "/Filter /DCTDecode"
    if encoding == "flate":
        return zlib.compress(image.tobytes()), "/Filter /FlateDecode"
    if encoding == "g4":  # one strip of a Group 4 TIFF is the CCITT stream
        out = io.BytesIO()
        image.save(out, "TIFF", compression="group4", strip_size=(image.width + 7) // 8 * image.height)
        with Image.open(out) as tiff:
            offset, length = tiff.tag_v2[273][0], tiff.tag_v2[279][0]
        params = f"/DecodeParms << /K -1 /Columns {image.width} /Rows {image.height} /BlackIs1 true >>"
        return out.getvalue()[offset:offset + length], f"/Filter /CCITTFaxDecode {params}"
    raise ValueError(encoding)


def image_pdf(target: Path, image: Image.Image, placement: str = "", page_pt: tuple[float, float] = LETTER_PT,
              rotate: int = 0, text: str = "", encoding: str = "jpeg") -> Path:
    """`image` as an image XObject in `encoding` (see encoded) drawn with the matrix
    `placement` (default: upright over the whole page), on a page of `page_pt`, with
    /Rotate `rotate` and `text` written in Helvetica at the bottom (the font is in the
    page's resources only then: a scan without it can be written as PDF/A)."""
    data, filters = encoded(image, encoding)
    width, height = page_pt
    placement = placement or f"{width} 0 0 {height} 0 0"
    content = f"q {placement} cm /Im0 Do Q".encode()
    if text:
        content += f" BT /F1 10 Tf 36 20 Td ({text}) Tj ET".encode()
    colour = "/DeviceRGB" if image.mode == "RGB" else "/DeviceGray"
    bits = 1 if image.mode == "1" else 8
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Rotate {rotate} "
         f"/Resources << /XObject << /Im0 4 0 R >> {'/Font << /F1 6 0 R >> ' if text else ''}>> "
         "/Contents 5 0 R >>").encode(),
        (f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
         f"/ColorSpace {colour} /BitsPerComponent {bits} {filters} /Length {len(data)} >>\n"
         "stream\n").encode() + data + b"\nendstream",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    target.write_bytes(pdf_bytes(objects))
    return target
