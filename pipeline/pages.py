"""Pages of a document, one at a time: a PDF page's text layer, or an image on disk.

Never a whole document in memory: each page is rendered to its own file in the task
folder just before it is read, and nothing is rendered for a page whose text layer is
taken as it is.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pdf2image import convert_from_path, pdfinfo_from_path
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError
from PIL import Image, ImageSequence, UnidentifiedImageError

from ingest.config import OcrMode, PipelineSettings
from ingest.errors import CorruptFile, EncryptedPdf, LimitExceeded
from pipeline.detect import Kind

DEFAULT_DPI = 300
# A page "carries text" when its text layer has this many letters or digits; fewer is a
# scanner's stray label or a page number, and the page is OCRed.
MIN_TEXT_LAYER_CHARS = 20


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    image: Path | None  # the rendered page for OCR; None when the text layer is used
    text_layer: str | None
    dpi: int
    dpi_assumed: bool = False


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    page_count: int
    pdf_info: dict[str, str]  # Title, Author, Creator, Producer, dates: PDFs only


def inspect(path: Path, kind: Kind, settings: PipelineSettings) -> DocumentInfo:
    """Count pages and check limits before anything is rendered."""
    if kind is Kind.PDF:
        info = _pdfinfo(path, settings)
        pages = int(info.get("Pages", 0))
        meta = {
            k: str(v)
            for k, v in info.items()
            if k in ("Title", "Author", "Creator", "Producer", "CreationDate", "ModDate")
        }
    else:
        with _open_image(path, settings) as img:
            pages = getattr(img, "n_frames", 1)
        meta = {}
    if pages == 0:
        raise CorruptFile(f"{path.name} has no pages")
    if pages > settings.max_pages:
        raise LimitExceeded(
            f"{path.name} has {pages} pages; the limit is {settings.max_pages} "
            "(pipeline.max_pages): split it, or raise the limit"
        )
    return DocumentInfo(page_count=pages, pdf_info=meta)


def render(
    path: Path, kind: Kind, info: DocumentInfo, out_dir: Path, settings: PipelineSettings
) -> Iterator[Page]:
    out_dir.mkdir(exist_ok=True)
    if kind is Kind.PDF:
        yield from _pdf_pages(path, info.page_count, out_dir, settings)
    else:
        yield from _image_pages(path, out_dir, settings)


def _pdfinfo(path: Path, settings: PipelineSettings) -> dict:
    try:
        return pdfinfo_from_path(str(path), timeout=settings.page_timeout_seconds)
    except PDFPageCountError as exc:
        text = str(exc)
        if "Incorrect password" in text:
            raise EncryptedPdf(
                f"{path.name} is password-protected; save it without a password "
                "and drop it again"
            ) from None
        raise CorruptFile(f"{path.name} is damaged or not a complete PDF ({_first_line(text)})") from None
    except PDFPopplerTimeoutError:
        raise CorruptFile(f"{path.name} could not be read in time; the PDF may be damaged") from None


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no details"


def _page_sizes(path: Path, count: int, settings: PipelineSettings) -> dict[int, tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(count), str(path)],
        capture_output=True, text=True, timeout=settings.page_timeout_seconds, check=False,
    ).stdout
    sizes = {}
    for m in re.finditer(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", out):
        sizes[int(m.group(1))] = (float(m.group(2)), float(m.group(3)))
    return sizes


def _text_layer(path: Path, number: int, settings: PipelineSettings) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, timeout=settings.page_timeout_seconds, check=False,
    )
    return out.stdout.decode("utf-8", "replace").replace("\f", "").strip()


def has_text(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= MIN_TEXT_LAYER_CHARS


def _pdf_pages(path: Path, count: int, out_dir: Path, settings: PipelineSettings) -> Iterator[Page]:
    sizes = _page_sizes(path, count, settings)
    for number in range(1, count + 1):
        if settings.ocr_mode is not OcrMode.FORCE:
            text = _text_layer(path, number, settings)
            if settings.ocr_mode is OcrMode.SKIP or has_text(text):
                yield Page(number, None, text, settings.dpi)
                continue
        width, height = sizes.get(number, (612.0, 792.0))
        _check_pixels(path, number, width / 72 * settings.dpi, height / 72 * settings.dpi, settings)
        name = f"page-{number:04d}"
        try:
            convert_from_path(
                str(path), dpi=settings.dpi, first_page=number, last_page=number,
                output_folder=str(out_dir), fmt="png", output_file=name, single_file=True,
                paths_only=True, grayscale=True, timeout=settings.page_timeout_seconds,
            )
        except PDFPopplerTimeoutError:
            raise LimitExceeded(
                f"page {number} of {path.name} took longer than "
                f"{settings.page_timeout_seconds} s to render"
            ) from None
        image = out_dir / f"{name}.png"
        if not image.exists():
            raise CorruptFile(f"page {number} of {path.name} could not be rendered; the PDF may be damaged")
        yield Page(number, image, None, settings.dpi)


def _check_pixels(path: Path, number: int, width: float, height: float, settings: PipelineSettings) -> None:
    megapixels = width * height / 1e6
    if megapixels > settings.max_megapixels:
        raise LimitExceeded(
            f"page {number} of {path.name} would be {megapixels:,.0f} million pixels; the "
            f"limit is {settings.max_megapixels:,.0f} (pipeline.max_megapixels)"
        )


def _open_image(path: Path, settings: PipelineSettings) -> Image.Image:
    try:
        img = Image.open(path)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise CorruptFile(f"{path.name} is damaged or not a complete image ({exc})") from None
    _check_pixels(path, 1, img.width, img.height, settings)
    return img


def _image_pages(path: Path, out_dir: Path, settings: PipelineSettings) -> Iterator[Page]:
    with _open_image(path, settings) as img:
        for index, frame in enumerate(ImageSequence.Iterator(img)):
            number = index + 1
            _check_pixels(path, number, frame.width, frame.height, settings)
            dpi, assumed = _dpi_of(frame)
            target = out_dir / f"page-{number:04d}.png"
            try:
                _for_ocr(frame).save(target, dpi=(dpi, dpi))
            except (OSError, ValueError, SyntaxError) as exc:
                raise CorruptFile(f"page {number} of {path.name} could not be decoded ({exc})") from None
            yield Page(number, target, None, dpi, assumed)


def _dpi_of(frame: Image.Image) -> tuple[int, bool]:
    dpi = frame.info.get("dpi")
    if dpi and dpi[0] and float(dpi[0]) > 1:
        return round(float(dpi[0])), False
    return DEFAULT_DPI, True


def _for_ocr(frame: Image.Image) -> Image.Image:
    """A copy Tesseract reads well: alpha flattened on white, CMYK/palette/16-bit to 8-bit."""
    if frame.mode in ("1", "L", "RGB"):
        return frame.copy()
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if frame.mode.startswith("I"):
        return frame.point(lambda v: v / 256).convert("L")
    return frame.convert("RGB")
