"""Reading a page: its text layer as it is, nothing for a blank page, or one tesseract
run that yields the text, the word confidences (TSV) and the page's invisible text as a
text-only PDF together (graft.py puts it on the original page); a second run only for a
page found turned (see orient.py)."""

from __future__ import annotations

import csv
import enum
import io
import logging
from dataclasses import dataclass, replace
from pathlib import Path

import pytesseract

from docvault.core.config import PipelineSettings
from docvault.core.errors import ConfigError, OcrFailed
from pipeline import blank, mixed, orient
from pipeline.pages import Page

log = logging.getLogger(__name__)


class PageSource(enum.Enum):
    OCR = "ocr"
    TEXT_LAYER = "text-layer"
    MIXED = "mixed"  # the text layer and OCR of the page's pictures of text (mixed.py)
    BLANK = "blank"  # found blank before OCR, not read


@dataclass(frozen=True, slots=True)
class PageText:
    number: int  # 1-based
    text: str
    confidence: float | None  # Tesseract's mean word confidence 0-100; None: not OCRed
    words: int
    source: PageSource
    pdf: Path | None = None  # the page's invisible text as a text-only PDF, when OCRed
    rotation: int = 0  # clockwise degrees the page was turned before it was read
    dpi: int = 0  # the resolution the page was read at (0: not read from an image)
    stored: bool = False  # read from the PDF's own image as stored (see pages.Page)

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "text": self.text,
            "confidence": self.confidence,
            "words": self.words,
            "source": self.source.value,
            "blank": self.source is PageSource.BLANK,
            "rotation": self.rotation,
        }


def read_page(page: Page, settings: PipelineSettings) -> PageText:
    if page.image is None:
        text = page.text_layer or ""
        return PageText(page.number, text, None, len(text.split()), PageSource.TEXT_LAYER)
    if page.layer_words:  # the pictures of text of a page with a text layer
        return _mixed(page, settings)
    if blank.is_blank(page.image, page.dpi):
        return PageText(page.number, "", None, 0, PageSource.BLANK, dpi=page.dpi)
    text, words = _tesseract(page.number, page.image, page.dpi, settings)
    if not orient.may_be_turned(words):
        return replace(text, stored=page.stored)
    rotation = orient.detect_rotation(page.image, page.dpi, settings.tesseract_cmd,
                                      settings.page_timeout_seconds)
    if rotation == 0:
        return replace(text, stored=page.stored)
    log.debug("page %d (%s): turned %d degrees", page.number, page.image.name, rotation)
    upright, _ = _tesseract(page.number, orient.turn(page.image, rotation), page.dpi, settings)
    return replace(upright, rotation=rotation, stored=page.stored)


def _mixed(page: Page, settings: PipelineSettings) -> PageText:
    """The text layer and the OCR of the page's image with its text taken out, merged;
    the page's pictures are read as they are placed (no turning)."""
    assert page.image is not None
    layer = page.text_layer or ""
    if blank.is_blank(page.image, page.dpi):
        return PageText(page.number, layer, None, len(layer.split()), PageSource.TEXT_LAYER)
    read, words = _tesseract(page.number, page.image, page.dpi, settings)
    text = mixed.merge(page.layer_words, words, page.dpi)
    return replace(read, text=text, words=len(text.split()), source=PageSource.MIXED)


def _tesseract(number: int, image: Path, dpi: int, settings: PipelineSettings) -> tuple[PageText, list[orient.Word]]:
    base = image.with_name(image.stem)  # tesseract adds .txt, .tsv, .pdf
    output = {ext: image.with_name(f"{image.stem}.{ext}") for ext in ("txt", "tsv", "pdf")}
    pytesseract.pytesseract.tesseract_cmd = settings.tesseract_cmd
    try:
        pytesseract.pytesseract.run_tesseract(
            str(image), str(base), "txt pdf", settings.lang,
            # textonly_pdf: the PDF holds the text alone; the page itself is the original's
            config=f"--dpi {dpi} -c tessedit_create_tsv=1 -c textonly_pdf=1",
            timeout=settings.page_timeout_seconds,
        )
    except pytesseract.TesseractNotFoundError:
        raise OcrFailed(
            f"the OCR program '{settings.tesseract_cmd}' is not installed (pipeline.tesseract_cmd)"
        ) from None
    except pytesseract.TesseractError as exc:
        if "Failed loading language" in (exc.message or ""):
            raise ConfigError(
                f"tesseract has no language data for '{settings.lang}' (pipeline.languages, "
                "TESSERACT_LANGUAGES or pipeline.inbox_languages); install it or change the setting"
            ) from None
        raise OcrFailed(f"tesseract failed on page {number}: {exc.message or exc.status}") from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrFailed(
            f"page {number} took longer than {settings.page_timeout_seconds} s to read "
            f"(pipeline.page_timeout_seconds) ({exc})"
        ) from None
    text = output["txt"].read_text(encoding="utf-8", errors="replace")
    words = _words(output["tsv"].read_text(encoding="utf-8", errors="replace"))
    output["txt"].unlink()
    output["tsv"].unlink()
    confidence = round(sum(w.confidence for w in words) / len(words), 2) if words else None
    page = PageText(number, text.strip(), confidence, len(words), PageSource.OCR, output["pdf"], dpi=dpi)
    return page, words


def _words(tsv: str) -> list[orient.Word]:
    """Recognised words (level 5 rows with text and a confidence) of a TSV."""
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        try:
            confidence = float(row["conf"])
            left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
            block, line = int(row["block_num"]), int(row["par_num"]) * 1000 + int(row["line_num"])
        except (TypeError, ValueError, KeyError):
            continue
        if confidence >= 0:
            words.append(orient.Word(width, height, text, confidence, left, top, block, line))
    return words
