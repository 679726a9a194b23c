"""A scanned page's 8-bit Flate image taken out of its PDF without poppler.

`pdfimages -tiff` inflates the image and writes it as an uncompressed TIFF: 70-80 ms
for a 300 dpi A4 page here, 7 % of the page's OCR time, spent on every Flate page (what
img2pdf and many scanners write for a PNG or lossless scan). The stream is here already
in the form tesseract reads: stored with PNG predictors it is a PNG's IDAT, and is
copied into a PNG unopened; stored plain it is inflated once (20-25 ms) into an
uncompressed TIFF (not a PGM: tesseract reads those 10 % slower). Anything else about the image (a /Decode array, a mask, another colour space or
depth, a filter chain, a stream that inflates to the wrong size) and this declines:
pdfimages takes the image out, as before.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pikepdf
from PIL import Image
from pikepdf import Name

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# colour space -> (components, PNG colour type, Pillow mode)
SPACES = {"/DeviceGray": (1, 0, "L"), "/DeviceRGB": (3, 2, "RGB")}


def take_out(path: Path, number: int, base: Path) -> Path | None:
    """Page `number`'s one image at `base`.png or .tif; None when it is not a plain
    8-bit gray or RGB Flate image (or the PDF will not open here)."""
    try:
        with pikepdf.open(path) as pdf:
            image = _only_image(pdf.pages[number - 1])
            if image is None:
                return None
            return _write(image, base)
    except (pikepdf.PdfError, zlib.error, ValueError, KeyError, IndexError):
        return None


def _only_image(page: pikepdf.Page) -> pikepdf.Stream | None:
    resources = page.obj.get(Name.Resources)
    xobjects = resources.get(Name.XObject) if resources is not None else None
    if xobjects is None:
        return None
    images = [xobjects[key] for key in xobjects.keys() if xobjects[key].get(Name.Subtype) == Name.Image]
    if len(images) != 1:
        return None
    image = images[0]
    if (image.get(Name.Filter) not in (Name.FlateDecode, pikepdf.Array([Name.FlateDecode]))
            or image.get(Name.BitsPerComponent) != 8 or str(image.get(Name.ColorSpace)) not in SPACES
            or any(key in image for key in (Name.Decode, Name.SMask, Name.Mask, Name.ImageMask))):
        return None
    return image


def _write(image: pikepdf.Stream, base: Path) -> Path | None:
    width, height = int(image.Width), int(image.Height)
    components, png_type, mode = SPACES[str(image.ColorSpace)]
    params = image.get(Name.DecodeParms)
    if isinstance(params, pikepdf.Array):
        params = params[0] if len(params) == 1 else None
    predictor = int(params.get(Name.Predictor, 1)) if params is not None else 1
    raw = image.read_raw_bytes()
    if predictor >= 10:  # PNG predictors: the stream is a PNG's image data as it is
        if (int(params.get(Name.Colors, 1)) != components or int(params.get(Name.BitsPerComponent, 8)) != 8
                or int(params.get(Name.Columns, 1)) != width):
            return None
        target = base.with_suffix(".png")
        header = struct.pack(">IIBBBBB", width, height, 8, png_type, 0, 0, 0)
        target.write_bytes(PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b""))
        return target
    if predictor != 1:  # TIFF predictor 2: rare; poppler undoes it
        return None
    size = width * height * components
    inflater = zlib.decompressobj()
    pixels = inflater.decompress(raw, size)  # never more than the image holds
    if len(pixels) != size:
        return None
    target = base.with_suffix(".tif")
    Image.frombuffer(mode, (width, height), pixels, "raw", mode, 0, 1).save(target, "TIFF")  # uncompressed
    return target


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
