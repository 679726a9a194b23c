"""Reading a page: its text layer as it is, or one tesseract run that yields the text,
the word confidences (TSV) and a one-page searchable PDF together."""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass
from pathlib import Path

import pytesseract

from ingest.config import PipelineSettings
from ingest.errors import OcrFailed
from pipeline.pages import Page


class PageSource(enum.Enum):
    OCR = "ocr"
    TEXT_LAYER = "text-layer"


@dataclass(frozen=True, slots=True)
class PageText:
    number: int  # 1-based
    text: str
    confidence: float | None  # Tesseract's mean word confidence 0-100; None: not OCRed
    words: int
    source: PageSource
    pdf: Path | None = None  # the page as a searchable PDF, when OCRed

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "text": self.text,
            "confidence": self.confidence,
            "words": self.words,
            "source": self.source.value,
        }


def read_page(page: Page, settings: PipelineSettings) -> PageText:
    if page.image is None:
        text = page.text_layer or ""
        return PageText(page.number, text, None, len(text.split()), PageSource.TEXT_LAYER)
    return _tesseract(page.number, page.image, settings)


def _tesseract(number: int, image: Path, settings: PipelineSettings) -> PageText:
    pytesseract.pytesseract.tesseract_cmd = settings.tesseract_cmd
    try:
        text, tsv, pdf = pytesseract.run_and_get_multiple_output(
            str(image),
            extensions=["txt", "tsv", "pdf"],
            lang=settings.lang,
            timeout=settings.page_timeout_seconds,
        )
    except pytesseract.TesseractNotFoundError:
        raise OcrFailed(
            f"the OCR program '{settings.tesseract_cmd}' is not installed (pipeline.tesseract_cmd)"
        ) from None
    except pytesseract.TesseractError as exc:
        raise OcrFailed(f"tesseract failed on page {number}: {exc.message or exc.status}") from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrFailed(
            f"page {number} took longer than {settings.page_timeout_seconds} s to read "
            f"(pipeline.page_timeout_seconds) ({exc})"
        ) from None
    confidence, words = _confidence(tsv)
    pdf_path = image.with_suffix(".pdf")
    pdf_path.write_bytes(pdf)
    return PageText(number, text.strip(), confidence, words, PageSource.OCR, pdf_path)


def _confidence(tsv: str) -> tuple[float | None, int]:
    """Mean confidence over recognised words (level 5 rows with text)."""
    confs = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            try:
                confs.append(float(row["conf"]))
            except (TypeError, ValueError):
                continue
    confs = [c for c in confs if c >= 0]
    if not confs:
        return None, 0
    return round(sum(confs) / len(confs), 2), len(confs)
