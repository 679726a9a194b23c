"""Pages of a document, one at a time: a PDF page's text layer, or an image on disk.

Never a whole document in memory: each page is rendered to its own file in the task
folder just before it is read (and deleted after), and nothing is rendered for a page
whose text layer is taken as it is. Rendered pages are grayscale uncompressed TIFF, 1-bit
PBM when everything on the page is 1-bit: OCR does not need colour, an uncompressed file
is written in a fraction of the time a PNG takes, and tesseract (leptonica) reads an
8-bit PGM about 10 % slower than the same pixels as a TIFF or PNG (a 300 dpi page: 1.08 s
against 0.98 s), where a 1-bit PBM costs the same as a TIFF.

A scanned PDF page is mostly one image covering the page, as the scanner wrote it: a
JPEG, a Flate (or LZW) image in 8-bit gray or RGB or 1-bit, a CCITT G4 fax image or a
JBIG2 image. That image is taken out instead of the page being rendered (0.1-0.2 CPU s
for a render at 300 dpi): a JPEG as it is, a CCITT G4 image as a G4 TIFF, an 8-bit gray
or RGB Flate image decoded once into an uncompressed TIFF, all without poppler
(takeout.py, a millisecond or a few tens); the others by `pdfimages -j -tiff` (0.01-0.08
CPU s), decoded into an uncompressed TIFF at their own depth (gray stays gray, 1-bit
stays 1-bit), which tesseract reads without a conversion. Only a page where the image is
all there is, is taken out: no other image or mask, no text, the image placed upright or
upside down over the whole page with square pixels, and at most settings.dpi (a finer
scan is rendered down to settings.dpi). A page with a /Rotate has its image turned as
the page is displayed (what a render would give). A JPEG scanned upside down is turned
like any upside-down page (orient.py); one placed sideways fails the page-size test and
is rendered; one the page's drawing turns upside down is read as stored, upright,
rotation 0. Vector drawings over the image are not in the image list: a page with those
(rare in a scan) is read without them, and so is the mirror image of a drawing that
flips its image (rarer still: `pdfimages -list` does not show the flip).
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from docvault.core import frames, pdfinfo
from docvault.core.config import OcrMode, PipelineSettings
from docvault.core.errors import CorruptFile, LimitExceeded
from pipeline import mixed, orient, takeout, textlayer
from pipeline.detect import Kind

DEFAULT_DPI = 300
MIN_RENDER_DPI = 100  # a page that fits the pixel limit only below this is refused
# An image without a DPI whose short side is below this many pixels is a page scanned at
# less than 300 dpi when it has a page's proportions (A4 1.41, Letter 1.29).
PAGE_SHORT_INCHES = 8.27
PAGE_RATIOS = (1.2, 1.5)
# The image covers the page when its size at its resolution is the page's, within this.
COVER_TOLERANCE = 0.02
# The files a page's image may be (rendered, taken out, turned): deleted once it is read.
IMAGE_SUFFIXES = (".pbm", ".png", ".jpg", ".tif")
# The images taken out instead of rendered, by (pdfimages' encoding, colour, components,
# bits per component); anything else (JPEG 2000, CMYK, ICC, indexed) is rendered.
TAKEN_OUT = {
    ("jpeg", "gray", 1, 8), ("jpeg", "rgb", 3, 8),
    ("image", "gray", 1, 8), ("image", "rgb", 3, 8), ("image", "gray", 1, 1),
    ("ccitt", "gray", 1, 1), ("jbig2", "gray", 1, 1),
}


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    image: Path | None  # the rendered page for OCR; None when the text layer is used
    text_layer: str | None
    dpi: int
    dpi_assumed: bool = False
    # A page with a text layer and pictures of text: the layer's words (image: the page
    # with its text taken out, to OCR the pictures; see mixed.py)
    layer_words: tuple[mixed.LayerWord, ...] = ()
    # The image is the PDF's own, taken out as stored, not the page as displayed: the
    # searchable PDF puts its text where the page draws that image (graft.py).
    stored: bool = False


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    page_count: int
    pdf_info: dict[str, str]  # Title, Author, Creator, Producer, dates: PDFs only
    pdf: pdfinfo.PdfInfo | None = None
    # Each PDF page's text layer, read in one go; None: read page by page when needed.
    text_layers: tuple[str, ...] | None = None


def inspect(path: Path, kind: Kind, settings: PipelineSettings) -> DocumentInfo:
    """Count pages and check limits before anything is rendered."""
    # Pillow's own bomb guard at our limit (process-wide; every document sets the same).
    Image.MAX_IMAGE_PIXELS = int(settings.max_megapixels * 1e6)
    pdf = None
    if kind is Kind.PDF:
        pdf = pdfinfo.read_info(path, settings.page_timeout_seconds)
        pages = pdf.page_count
    else:
        with _open_image(path) as img:
            try:
                pages = frames.count(img, settings.max_pages + 1)
            except (OSError, ValueError, TypeError, SyntaxError) as exc:
                raise CorruptFile(f"{path.name} is damaged: not all its pages can be read ({exc})") from None
    if pages == 0:
        raise CorruptFile(f"{path.name} has no pages")
    if pages > settings.max_pages:
        counted = pages if pdf is not None else f"more than {settings.max_pages}"  # frames: counted to the limit
        raise LimitExceeded(
            f"{path.name} has {counted} pages; the limit is {settings.max_pages} "
            "(pipeline.max_pages): split it, or raise the limit"
        )
    text_layers = None
    if pdf is not None:
        for page in pdf.pages:  # a bomb fails before the first page is read
            _check_pixels(path, page.number, page.image_pixels, settings)
        if settings.ocr_mode is not OcrMode.FORCE or any(whole_page_image(p, settings.dpi) for p in pdf.pages):
            text_layers = textlayer.read_all(path, pages, settings.page_timeout_seconds)
    return DocumentInfo(page_count=pages, pdf_info=pdf.metadata if pdf else {}, pdf=pdf,
                        text_layers=text_layers)


def render_page(path: Path, info: DocumentInfo, number: int, out_dir: Path,
                settings: PipelineSettings) -> Page:
    out_dir.mkdir(exist_ok=True)
    if info.pdf is not None:
        text = info.text_layers[number - 1] if info.text_layers is not None else None
        return _pdf_page(path, info.pdf.pages[number - 1], text, out_dir, settings)
    return _image_page(path, number, out_dir, settings)


def _pdf_page(path: Path, page: pdfinfo.PdfPage, text: str | None, out_dir: Path,
              settings: PipelineSettings) -> Page:
    """`text`: the page's text layer when it was read with the others, else None."""
    number = page.number
    if settings.ocr_mode is not OcrMode.FORCE:
        if text is None:
            text = textlayer.read(path, number, settings.page_timeout_seconds)
        enough = textlayer.MIN_TEXT_CHARS if page.image_pixels else 1
        if settings.ocr_mode is OcrMode.SKIP or textlayer.is_real_text(text, enough):
            if settings.ocr_mode is OcrMode.AUTO and _may_hold_pictures(page):
                words = mixed.layer_words(path, number, settings.page_timeout_seconds)
                if mixed.unread_pictures(path, number, words):
                    masked = mixed.without_text(path, number, out_dir / f"page-{number:04d}.masked.pdf")
                    dpi = _render_dpi(path, page, settings)
                    try:
                        image = render(masked, replace(page, number=1), dpi,
                                       out_dir / f"page-{number:04d}", settings.page_timeout_seconds)
                    finally:
                        masked.unlink()
                    return Page(number, image, text, dpi, layer_words=words)
            return Page(number, None, text, settings.dpi)
    base = out_dir / f"page-{number:04d}"
    scan = whole_page_image(page, settings.dpi)
    if scan is not None:
        if text is None:
            text = textlayer.read(path, number, settings.page_timeout_seconds)
        image = None if text else _take_out(path, page, base, settings)
        if image is not None:
            return Page(number, image, None, scan.x_ppi, stored=True)
    dpi = _render_dpi(path, page, settings)
    return Page(number, render(path, page, dpi, base, settings.page_timeout_seconds), None, dpi)


def render(path: Path, page: pdfinfo.PdfPage, dpi: int, base: Path, timeout: int) -> Path:
    """The page rendered at `dpi` as poppler displays it (/Rotate applied), at `base`.tif,
    or `base`.pbm when its images are all 1-bit at `dpi` (a bilevel scan stays bilevel;
    one scaled is rendered in gray, which keeps its edges)."""
    mono = bool(page.images) and all(i.bits == 1 and abs(i.x_ppi - dpi) <= COVER_TOLERANCE * dpi
                                      for i in page.images)
    try:
        subprocess.run(
            ["pdftoppm", *(["-mono"] if mono else ["-gray", "-tiff"]), "-r", str(dpi), "-f", str(page.number),
             "-l", str(page.number), "-singlefile", str(path), str(base)],
            capture_output=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        raise LimitExceeded(
            f"page {page.number} of {path.name} took longer than "
            f"{timeout} s to render (pipeline.page_timeout_seconds)"
        ) from None
    image = base.with_suffix(".pbm" if mono else ".tif")
    if not image.exists():
        raise CorruptFile(f"page {page.number} of {path.name} could not be rendered; the PDF may be damaged")
    return image


def _may_hold_pictures(page: pdfinfo.PdfPage) -> bool:
    """pdfimages' list says the page has an image that could hold a line of text."""
    return any(i.kind == "image" and i.width >= mixed.MIN_PICTURE_PIXELS[0]
               and i.height >= mixed.MIN_PICTURE_PIXELS[1] for i in page.images)


def whole_page_image(page: pdfinfo.PdfPage, max_dpi: int) -> pdfinfo.PdfImage | None:
    """The page's one image, when it is the whole page and can be read as it is (see the
    module's docstring); None: the page is rendered."""
    if page.rotate % 90 or len(page.images) != 1:
        return None
    image = page.images[0]
    if (image.kind != "image" or (image.encoding, image.color, image.components, image.bits) not in TAKEN_OUT
            or not image.x_ppi or abs(image.x_ppi - image.y_ppi) > 1
            or image.x_ppi > max_dpi * (1 + COVER_TOLERANCE)):
        return None
    # The image is stored as the page is before its /Rotate.
    page_w, page_h = ((page.height_pt, page.width_pt) if page.rotate in (90, 270)
                      else (page.width_pt, page.height_pt))
    width_pt, height_pt = image.width / image.x_ppi * 72, image.height / image.y_ppi * 72
    if (abs(width_pt - page_w) > COVER_TOLERANCE * page_w
            or abs(height_pt - page_h) > COVER_TOLERANCE * page_h):
        return None
    return image


def _take_out(path: Path, page: pdfinfo.PdfPage, base: Path,
              settings: PipelineSettings) -> Path | None:
    """The page's image, turned by the page's /Rotate: as stored where takeout.py can
    (`base`.jpg or .tif), else what pdfimages gives, `base`.jpg (a JPEG as it is)
    or `base`.tif (decoded, uncompressed); None when neither gave one (the page is
    rendered instead)."""
    taken = takeout.take_out(path, page.number, base) or _pdfimages(path, page.number, base, settings)
    if taken is not None and page.rotate:
        turned = orient.turn(taken, page.rotate)
        taken.unlink()
        return turned
    return taken


def _pdfimages(path: Path, number: int, base: Path, settings: PipelineSettings) -> Path | None:
    try:
        done = subprocess.run(
            ["pdfimages", "-j", "-tiff", "-f", str(number), "-l", str(number), str(path), str(base)],
            capture_output=True, timeout=settings.page_timeout_seconds, check=False,
        ).returncode == 0
    except subprocess.TimeoutExpired:
        done = False
    written = sorted(base.parent.glob(f"{base.name}-*"))
    if not (done and len(written) == 1 and written[0].suffix in (".jpg", ".tif")):
        for stray in written:
            stray.unlink()
        return None
    return written[0].rename(base.with_suffix(written[0].suffix))


def _render_dpi(path: Path, page: pdfinfo.PdfPage, settings: PipelineSettings) -> int:
    """settings.dpi, or less for a page that would exceed the pixel limit at it."""
    square_inches = page.width_pt * page.height_pt / 72 / 72
    fitting = int(math.sqrt(settings.max_megapixels * 1e6 / square_inches)) if square_inches else settings.dpi
    if fitting >= settings.dpi:
        return settings.dpi
    if fitting < MIN_RENDER_DPI:
        megapixels = square_inches * settings.dpi**2 / 1e6
        raise LimitExceeded(
            f"page {page.number} of {path.name} is {page.width_pt / 72:.0f} x "
            f"{page.height_pt / 72:.0f} inches, {megapixels:,.0f} million pixels at "
            f"{settings.dpi} dpi; the limit is {settings.max_megapixels:,.0f} (pipeline.max_megapixels)"
        )
    return fitting


def _check_pixels(path: Path, number: int, pixels: int, settings: PipelineSettings) -> None:
    if pixels > settings.max_megapixels * 1e6:
        raise LimitExceeded(
            f"page {number} of {path.name} holds an image of {pixels / 1e6:,.0f} million pixels; "
            f"the limit is {settings.max_megapixels:,.0f} (pipeline.max_megapixels)"
        )


def _open_image(path: Path) -> Image.Image:
    try:
        return Image.open(path)
    except Image.DecompressionBombError as exc:
        raise LimitExceeded(f"{path.name} is too large an image to read safely ({exc})") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise CorruptFile(f"{path.name} is damaged or not a complete image ({exc})") from None


def _image_page(path: Path, number: int, out_dir: Path, settings: PipelineSettings) -> Page:
    with _open_image(path) as img:
        _check_pixels(path, number, img.width * img.height, settings)
        try:
            img.seek(number - 1)
            _check_pixels(path, number, img.width * img.height, settings)
            dpi, assumed = _dpi_of(img)
            page = _for_ocr(img)
            target = out_dir / f"page-{number:04d}.{'pbm' if page.mode == '1' else 'tif'}"
            page.save(target)
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise CorruptFile(f"page {number} of {path.name} could not be decoded ({exc})") from None
    return Page(number, target, None, dpi, assumed)


def _dpi_of(frame: Image.Image) -> tuple[int, bool]:
    """The image's DPI; without one, 300, or what a page-shaped image's size says."""
    dpi = frame.info.get("dpi")
    if dpi and dpi[0] and float(dpi[0]) > 1:
        return round(float(dpi[0])), False
    short, long = sorted(frame.size)
    page_shaped = PAGE_RATIOS[0] <= long / short <= PAGE_RATIOS[1]
    if page_shaped and short < DEFAULT_DPI * PAGE_SHORT_INCHES:
        return max(72, round(short / PAGE_SHORT_INCHES)), True
    return DEFAULT_DPI, True


def _for_ocr(frame: Image.Image) -> Image.Image:
    """A grayscale copy (bilevel stays bilevel): alpha flattened on white; palette,
    CMYK and 16-bit brought to 8-bit gray."""
    if frame.mode in ("1", "L"):
        return frame.copy()
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if frame.mode.startswith("I"):  # 16- or 32-bit gray: keep the top 8 bits
        return frame.convert("I").point(lambda v: v / 256).convert("L")
    return frame.convert("L")
