"""Tesseract's invisible text, grafted onto the original pages.

The searchable PDF is the input itself: every page keeps its own content (images as the
scanner wrote them, vector drawings, form fields, annotations, the outline and the
document info), and each page that was read gets tesseract's text-only page drawn
underneath as a Form XObject. Nothing is decoded or encoded again.

Where the text goes: the image tesseract read is the page as poppler displays it (its
MediaBox, or its CropBox when that is what the image's size says, with the page's
/Rotate applied), turned clockwise by the page's `rotation` when orient.py found it
turned. The text page is mapped back onto that box, and a page that was turned gets a
/Rotate that shows it upright: the image in the file is untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name

from pipeline import placement
from pipeline.placement import IDENTITY, Matrix, then

if TYPE_CHECKING:
    from pipeline.ocr import PageText

# The unit square of an image turned clockwise by the key, mapped back onto the unit
# square of the image before it was turned (y up, as in PDF).
_UNTURN: dict[int, Matrix] = {
    0: IDENTITY,
    90: (0.0, 1.0, -1.0, 0.0, 1.0, 0.0),
    180: (-1.0, 0.0, 0.0, -1.0, 1.0, 1.0),
    270: (0.0, -1.0, 1.0, 0.0, 0.0, 1.0),
}
# The share by which the image's proportions may differ from a box's and still be it.
BOX_TOLERANCE = 0.02


def graft_pages(pdf: pikepdf.Pdf, texts: list[PageText]) -> None:
    """Draw each read page's text-only PDF under its page of `pdf` (in place)."""
    fonts: dict[str, pikepdf.Object] = {}  # tesseract's one font, copied in once
    for text in texts:
        if text.pdf is not None:
            graft_page(pdf, pdf.pages[text.number - 1], text.pdf, text.rotation, fonts, text.stored)


def graft_page(pdf: pikepdf.Pdf, page: pikepdf.Page, text_pdf: Path, rotation: int,
               fonts: dict[str, pikepdf.Object], stored: bool = False) -> None:
    """`stored`: the image read was the page's own image as the PDF stores it (taken out,
    not rendered): the text goes where that image is drawn, however it is drawn."""
    page_obj = page.obj
    rotate = int(_inherited(page_obj, "/Rotate") or 0) % 360
    with pikepdf.open(text_pdf) as source:
        text_page = source.pages[0].obj
        width, height = (float(v) for v in list(text_page.MediaBox)[2:4])
        form = pdf.make_stream(text_page.Contents.read_bytes())
        form.Type = Name.XObject
        form.Subtype = Name.Form
        form.BBox = Array([0, 0, width, height])
        page_fonts = Dictionary()
        text_fonts = text_page.Resources.get("/Font", Dictionary())
        for key in text_fonts.keys():
            if key not in fonts:
                fonts[key] = pdf.copy_foreign(text_fonts[key])
            page_fonts[key] = fonts[key]
        form.Resources = Dictionary(Font=page_fonts)
    turn = (rotate + rotation) % 360
    # the text page's unit square onto the image read's, then the image's onto the page
    to_image = then((1 / width, 0.0, 0.0, 1 / height, 0.0, 0.0), _UNTURN[turn])
    drawn = max(placement.images(page), key=lambda i: i[1][0] * i[1][1], default=None) if stored else None
    if drawn is not None:
        to_page = drawn[0]
    else:
        # the image's own proportions, before the page's /Rotate and orient's turn
        upright_ratio = width / height if turn in (0, 180) else height / width
        box = _box(page_obj, upright_ratio)
        to_page = (box[2] - box[0], 0.0, 0.0, box[3] - box[1], box[0], box[1])
    placed = then(to_image, to_page)
    resources = _own_resources(page_obj)
    name = _free_name(resources.XObject)
    resources.XObject[name] = form
    draw = pdf.make_stream(b"q %s cm %s Do Q\n" % (" ".join(_num(v) for v in placed).encode(),
                                                  str(name).encode()))
    contents = page_obj.get("/Contents")
    if contents is None:
        page_obj.Contents = draw
    elif isinstance(contents, Array):
        contents.insert(0, draw)
    else:
        page_obj.Contents = Array([draw, contents])
    upright = _upright_rotate(placed)
    if upright is not None and upright != rotate:
        page_obj.Rotate = upright


def _upright_rotate(placed: Matrix) -> int | None:
    """The /Rotate that shows the text upright: where the text's "up" points on the page
    (/Rotate turns the page clockwise for display). None for a mirrored placement, which
    no /Rotate can set right."""
    a, b, c, d = placed[:4]
    if a * d - b * c <= 0:
        return None
    if abs(d) >= abs(c):
        return 0 if d > 0 else 180
    return 90 if c < 0 else 270


def _box(page_obj: pikepdf.Object, ratio: float) -> tuple[float, float, float, float]:
    """The box the image read shows: the MediaBox (what pdftoppm renders), or the
    CropBox when only its proportions match the image's."""
    media = _rect(_inherited(page_obj, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    crop = _rect(_inherited(page_obj, "/CropBox"))
    if crop is None or crop == media:
        return media
    if _off(media, ratio) > BOX_TOLERANCE >= _off(crop, ratio):
        return crop
    return media


def _off(box: tuple[float, float, float, float], ratio: float) -> float:
    width, height = box[2] - box[0], box[3] - box[1]
    return abs(width / height - ratio) / ratio if height else 1.0


def _rect(value: pikepdf.Object | None) -> tuple[float, float, float, float] | None:
    if value is None or len(value) != 4:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inherited(page_obj: pikepdf.Object, key: str) -> pikepdf.Object | None:
    """A page attribute, from the page or the nearest /Pages node above it that has it."""
    node, seen = page_obj, 0
    while node is not None and seen < 64:  # a parent loop in a damaged file ends here
        if key in node:
            return node[key]
        node, seen = node.get("/Parent"), seen + 1
    return None


def _own_resources(page_obj: pikepdf.Object) -> pikepdf.Object:
    """The page's /Resources with an /XObject dictionary of its own: resources are often
    shared by many pages (or inherited), and the text form is this page's alone. The
    copies are shallow: fonts and images stay shared."""
    resources = _inherited(page_obj, "/Resources")
    own = Dictionary({k: resources[k] for k in resources.keys()}) if resources is not None else Dictionary()
    xobjects = own.get("/XObject")
    own.XObject = Dictionary({k: xobjects[k] for k in xobjects.keys()}) if xobjects is not None else Dictionary()
    page_obj.Resources = own
    return page_obj.Resources


def _free_name(xobjects: pikepdf.Object) -> Name:
    number = 0
    while f"/OCR{number}" in xobjects:
        number += 1
    return Name(f"/OCR{number}")


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"
