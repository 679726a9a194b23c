"""Pages with a text layer and pictures of text: a typed letter with a scanned paragraph
pasted in, a form with a stamp. The text layer is taken as it is; the pictures are read
by OCR on a copy of the page with its text taken out (so no word is read twice), and
both come together in reading order, block by block from the top.

A picture counts when it is large enough to hold a line of text and the text layer has
(almost) no words on it: a scan OCRed before has its words over its image, and is a
text-layer page like any other.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Name

from pipeline.orient import Word
from pipeline.placement import MAX_FORM_DEPTH, Box, images, unit_box

# A picture smaller than this (in points, as placed) holds no line worth reading.
MIN_PICTURE_PT = (72.0, 12.0)
MIN_PICTURE_PIXELS = (100, 16)
# A picture with more text-layer words on it than this is already read (an OCRed scan).
MAX_WORDS_ON_PICTURE = 2


_WORD = r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>'


@dataclass(frozen=True, slots=True)
class LayerWord:
    """A word of the page's text layer, as pdftotext reads it."""
    text: str
    box: Box  # points from the top left of the MediaBox
    block: int
    line: int


@dataclass(frozen=True, slots=True)
class Block:
    top: float  # points from the top of the page as displayed
    text: str


def pictures(path: Path, number: int) -> list[Box]:
    """Where the page's images are drawn (PDF user space) that are large enough to
    hold text: from its content stream and the forms it draws, nothing decoded."""
    with pikepdf.open(path) as pdf:
        found = [(unit_box(ctm), size) for ctm, size in images(pdf.pages[number - 1])]
    return [box for box, (width, height) in found
            if box[2] - box[0] >= MIN_PICTURE_PT[0] and box[3] - box[1] >= MIN_PICTURE_PT[1]
            and width >= MIN_PICTURE_PIXELS[0] and height >= MIN_PICTURE_PIXELS[1]]


def unread_pictures(path: Path, number: int, words: tuple[LayerWord, ...]) -> bool:
    """Does the page hold a picture of text that its text layer does not cover?"""
    boxes = pictures(path, number)
    if not boxes:
        return False
    with pikepdf.open(path) as pdf:
        media = [float(v) for v in pdf.pages[number - 1].obj.get("/MediaBox", [0, 0, 612, 792])]
    # pdftotext's boxes are from the top of the MediaBox; the pictures' in user space
    centres = [((w.box[0] + w.box[2]) / 2 + media[0], media[3] - (w.box[1] + w.box[3]) / 2) for w in words]
    return any(sum(b[0] <= x <= b[2] and b[1] <= y <= b[3] for x, y in centres) <= MAX_WORDS_ON_PICTURE
               for b in boxes)


def without_text(path: Path, number: int, target: Path) -> Path:
    """Page `number` alone, its text and annotations taken out (text objects of the page
    and of the forms it draws): what is left is what OCR should read."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[number - 1]
        _strip_text(pdf, page.obj, 0)
        if "/Annots" in page.obj:  # form fields and notes are not pictures (and their
            del page.obj.Annots  # widgets would need the AcroForm copied along)
        out = pikepdf.new()
        out.pages.append(page)
        out.save(target)
    return target


def _strip_text(pdf: pikepdf.Pdf, holder: pikepdf.Object, depth: int) -> None:
    kept, in_text = [], False
    for operands, operator in pikepdf.parse_content_stream(holder):
        op = str(operator)
        if op == "BT":
            in_text = True
        elif op == "ET":
            in_text = False
        elif not in_text:
            kept.append((operands, operator))
    data = pikepdf.unparse_content_stream(kept)
    if isinstance(holder, pikepdf.Stream):
        holder.write(data)
    else:
        holder.Contents = pdf.make_stream(data)
    resources = holder.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if xobjects is None or depth >= MAX_FORM_DEPTH:
        return
    for key in xobjects.keys():
        if xobjects[key].get("/Subtype") == Name.Form:
            _strip_text(pdf, xobjects[key], depth + 1)


def layer_words(path: Path, number: int, timeout: int) -> tuple[LayerWord, ...]:
    """The text layer's words with their boxes, blocks and lines, in pdftotext's
    reading order."""
    out = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(number), "-l", str(number),
                          str(path), "-"], capture_output=True, text=True, timeout=timeout, check=False).stdout
    words = []
    for block, block_xml in enumerate(re.findall(r"<block [^>]*>(.*?)</block>", out, re.S)):
        for line, line_xml in enumerate(re.findall(r"<line [^>]*>(.*?)</line>", block_xml, re.S)):
            words += [LayerWord(html.unescape(w), (float(x0), float(y0), float(x1), float(y1)), block, line)
                      for x0, y0, x1, y1, w in re.findall(_WORD, line_xml)]
    return tuple(words)


def merge(layer: tuple[LayerWord, ...], ocr_words: list[Word], dpi: int) -> str:
    """The text layer's blocks and the OCR's, in reading order: each in its own order,
    the two interleaved by where their blocks start on the page. An OCR word lying on
    a text-layer word is dropped (never read twice)."""
    scale = 72 / dpi
    layer_blocks = _blocks([(w.block, w.line, w.text, w.box[1]) for w in layer])
    ocr = [w for w in ocr_words if not any(
        b[0] <= (w.left + w.width / 2) * scale <= b[2] and b[1] <= (w.top + w.height / 2) * scale <= b[3]
        for b in (lw.box for lw in layer))]
    ocr_blocks = _blocks([(w.block, w.line, w.text, w.top * scale) for w in ocr])
    merged: list[Block] = []
    while layer_blocks or ocr_blocks:
        if not ocr_blocks or (layer_blocks and layer_blocks[0].top <= ocr_blocks[0].top):
            merged.append(layer_blocks.pop(0))
        else:
            merged.append(ocr_blocks.pop(0))
    return "\n\n".join(b.text for b in merged)


def _blocks(words: list[tuple[int, int, str, float]]) -> list[Block]:
    """(block, line, text, top) in reading order -> blocks of lines, in that order."""
    blocks: dict[int, dict[int, list[str]]] = {}
    tops: dict[int, float] = {}
    for block, line, text, top in words:
        blocks.setdefault(block, {}).setdefault(line, []).append(text)
        tops[block] = min(top, tops.get(block, top))
    return [Block(tops[b], "\n".join(" ".join(ws) for ws in lines.values())) for b, lines in blocks.items()]
