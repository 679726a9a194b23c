"""A scanned page's one image taken out of its PDF as stored, without poppler.

`pdfimages` costs a process start and, for anything but a JPEG, a decode: 12 ms a page
for a JPEG, 17 ms for a CCITT G4 image and 70-80 ms for an 8-bit Flate image (300 dpi
A4 here), on every page of what scanners write. Here the image is copied in a form
tesseract reads, or decoded once:

- a JPEG (DCT) in gray or RGB is a JPEG file as it is, copied unopened;
- a CCITT Group 4 image is one strip of a G4 TIFF: a TIFF header written before it
  (the way pikepdf and OCRmyPDF take them out), unopened;
- an 8-bit Flate image is decoded once, into an uncompressed TIFF (not a PGM: tesseract
  reads those 10 % slower), which tesseract and the blank check then read in a few
  milliseconds: stored plain it is inflated a chunk at a time (20-25 ms); stored with
  PNG predictors it is a PNG's IDAT, which Pillow decodes as a PNG (25 ms: leptonica
  takes 43 for the same PNG, and the blank check would decode it again).

Anything else about the image (a /Decode array, a mask, another colour space or depth,
a filter chain, a Group 3 fax, a stream that inflates to the wrong size, a damaged
dictionary) and this declines: pdfimages takes the image out, as before.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pikepdf
from PIL import Image
from pikepdf import Name

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHUNK = 1 << 20  # bytes inflated at a time
# colour space -> (components, PNG colour type)
SPACES = {"/DeviceGray": (1, 0), "/DeviceRGB": (3, 2)}


def take_out(path: Path, number: int, base: Path) -> Path | None:
    """Page `number`'s one image at `base`.jpg or .tif; None when it is none of
    the kinds above (or the PDF will not open here)."""
    try:
        with pikepdf.open(path) as pdf:
            image = _only_image(pdf.pages[number - 1])
            if image is None:
                return None
            write = WRITERS.get(str(_one(image, Name.Filter)))
            return write(image, base) if write is not None else None
    except (pikepdf.PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None  # a damaged or odd image dictionary: pdfimages judges it


def _only_image(page: pikepdf.Page) -> pikepdf.Stream | None:
    resources = page.obj.get(Name.Resources)
    xobjects = resources.get(Name.XObject) if resources is not None else None
    if xobjects is None:
        return None
    images = [xobjects[key] for key in xobjects.keys() if xobjects[key].get(Name.Subtype) == Name.Image]
    if len(images) != 1:
        return None
    image = images[0]
    if any(key in image for key in (Name.Decode, Name.SMask, Name.Mask, Name.ImageMask)):
        return None
    return image


def _jpeg(image: pikepdf.Stream, base: Path) -> Path | None:
    """Gray, or RGB stored as JPEG's usual YCbCr (/ColorTransform 1, the default)."""
    params = _one(image, Name.DecodeParms)
    transform = int(params.get(Name.ColorTransform, 1)) if params is not None else 1
    if (image.get(Name.BitsPerComponent) != 8 or str(image.get(Name.ColorSpace)) not in SPACES
            or (str(image.ColorSpace) == "/DeviceRGB" and transform != 1)):
        return None
    target = base.with_suffix(".jpg")
    target.write_bytes(image.read_raw_bytes())
    return target


def _g4(image: pikepdf.Stream, base: Path) -> Path | None:
    """A Group 4 image (/K < 0) of the size the dictionary says, its bits as stored."""
    params = _one(image, Name.DecodeParms)
    width, height = int(image.Width), int(image.Height)
    if (params is None or int(params.get(Name.K, 0)) >= 0 or bool(params.get(Name.EncodedByteAlign, False))
            or int(params.get(Name.Columns, 1728)) != width or int(params.get(Name.Rows, height)) != height
            or int(image.get(Name.BitsPerComponent, 1)) != 1):
        return None
    raw = image.read_raw_bytes()
    # PDF's default is 0 bits black (TIFF's WhiteIsZero, 0); /BlackIs1 true: BlackIsZero, 1
    photometric = 1 if bool(params.get(Name.BlackIs1, False)) else 0
    target = base.with_suffix(".tif")
    target.write_bytes(_g4_tiff_header(width, height, photometric, len(raw)) + raw)
    return target


def _flate(image: pikepdf.Stream, base: Path) -> Path | None:
    if image.get(Name.BitsPerComponent) != 8 or str(image.get(Name.ColorSpace)) not in SPACES:
        return None
    width, height = int(image.Width), int(image.Height)
    components, png_type = SPACES[str(image.ColorSpace)]
    params = _one(image, Name.DecodeParms)
    predictor = int(params.get(Name.Predictor, 1)) if params is not None else 1
    raw = image.read_raw_bytes()
    if predictor >= 10:  # PNG predictors: the stream is a PNG's image data as it is
        if (int(params.get(Name.Colors, 1)) != components or int(params.get(Name.BitsPerComponent, 8)) != 8
                or int(params.get(Name.Columns, 1)) != width):
            return None
        header = struct.pack(">IIBBBBB", width, height, 8, png_type, 0, 0, 0)
        png = PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
        return _decoded_to_tiff(png, base.with_suffix(".tif"))
    if predictor != 1:  # TIFF predictor 2: rare; poppler undoes it
        return None
    target = base.with_suffix(".tif")
    if _inflate_to_tiff(raw, width, height, components, target):
        return target
    target.unlink(missing_ok=True)
    return None


def _decoded_to_tiff(png: bytes, target: Path) -> Path | None:
    """A PNG decoded once, here, into an uncompressed TIFF: leptonica decodes a 300 dpi
    gray page from PNG in 43 ms, Pillow in 25, and reads it from the TIFF in 5; the
    blank check reads it in 3 instead of 25. None when it does not decode."""
    try:
        with Image.open(io.BytesIO(png)) as decoded:
            decoded.save(target, format="TIFF")
    except (OSError, SyntaxError, ValueError, zlib.error):
        target.unlink(missing_ok=True)
        return None
    return target


def _one(image: pikepdf.Stream, key: Name) -> pikepdf.Object | None:
    """`key`'s value, or the one value of an array of one (a filter chain: None)."""
    value = image.get(key)
    if isinstance(value, pikepdf.Array):
        value = value[0] if len(value) == 1 else None
    return value


def _inflate_to_tiff(raw: bytes, width: int, height: int, components: int, target: Path) -> bool:
    """`raw` inflated a chunk at a time into an uncompressed TIFF at `target`: memory holds
    a chunk, never the page (an RGB A4 page at 300 dpi is 26 MB). False when the stream
    does not inflate to exactly the image's size."""
    remaining = width * height * components
    inflater = zlib.decompressobj()
    with target.open("wb") as out:
        out.write(_tiff_header(width, height, components))
        while remaining:
            try:
                chunk = inflater.decompress(raw, min(CHUNK, remaining))
            except zlib.error:
                return False
            raw = inflater.unconsumed_tail
            if not chunk:
                break
            out.write(chunk)
            remaining -= len(chunk)
    return remaining == 0


def _tiff_header(width: int, height: int, components: int) -> bytes:
    """A TIFF header for one uncompressed strip of 8-bit gray (BlackIsZero) or RGB
    pixels, which follow it."""
    entries = 10
    bits_at = 8 + 2 + entries * 12 + 4  # the three BitsPerSample values of RGB
    bits = (3, components, bits_at if components == 3 else 8)
    return _tiff(
        [(256, 4, 1, width), (257, 4, 1, height), (258, *bits), (259, 3, 1, 1),
         (262, 3, 1, 2 if components == 3 else 1), (273, 4, 1, bits_at + 6), (277, 3, 1, components),
         (278, 4, 1, height), (279, 4, 1, width * height * components), (284, 3, 1, 1)],
        struct.pack("<HHH", 8, 8, 8))


def _g4_tiff_header(width: int, height: int, photometric: int, length: int) -> bytes:
    """A TIFF header for one strip of `length` bytes of Group 4 data, which follow it."""
    entries = 10
    return _tiff(
        [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 1), (259, 3, 1, 4),
         (262, 3, 1, photometric), (273, 4, 1, 8 + 2 + entries * 12 + 4), (277, 3, 1, 1),
         (278, 4, 1, height), (279, 4, 1, length), (293, 4, 1, 0)],
        b"")


def _tiff(fields: list[tuple[int, int, int, int]], after: bytes) -> bytes:
    """A little-endian baseline TIFF's header and one IFD of `fields` (tag, type: 3 SHORT
    or 4 LONG, count, value or offset; by tag), then `after` (values the IFD points to)."""
    ifd = struct.pack("<H", len(fields)) + b"".join(
        struct.pack("<HHI", tag, kind, count) + (struct.pack("<HH", value, 0) if kind == 3 and count == 1
                                                 else struct.pack("<I", value))
        for tag, kind, count, value in fields) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + after


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# the image's one filter -> how it is written out
WRITERS = {"/DCTDecode": _jpeg, "/CCITTFaxDecode": _g4, "/FlateDecode": _flate}
