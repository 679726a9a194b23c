"""Reading a document: detect -> pages -> ocr, page by page, with progress per page."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docvault.core.config import PipelineSettings
from docvault.core.status import TaskState
from pipeline import detect, ocr, ocr_language, pages, parallel
from pipeline.progress import Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Document:
    kind: detect.Kind
    info: pages.DocumentInfo
    texts: list[ocr.PageText]
    page_records: list[dict]
    languages: tuple[str, ...]
    language_choice: ocr_language.LanguageChoice | None = None  # None: no page was OCRed first

    def to_dict(self) -> dict:
        """The part of the result JSON that is about the document, not the task."""
        confidences = [t.confidence for t in self.texts if t.confidence is not None]
        return {
            "page_count": self.info.page_count,
            "languages": list(self.languages),
            "ocr_languages": self.language_choice.to_dict() if self.language_choice else None,
            "confidence": round(sum(confidences) / len(confidences), 2) if confidences else None,
            "text": "\f".join(t.text for t in self.texts),
            "pages": self.page_records,
            "metadata": {
                "page_count": self.info.page_count,
                "mime_type": self.kind.value,
                **({"pdf_info": self.info.pdf_info} if self.info.pdf_info else {}),
            },
        }


def read_document(original: Path, pages_dir: Path, settings: PipelineSettings, progress: Progress,
                  busy_elsewhere: int = 0) -> Document:
    """detect -> pages -> ocr, page by page (on the cores that `busy_elsewhere` other
    tasks leave idle), with progress per page."""
    kind = detect.detect_kind(original)
    info = pages.inspect(original, kind, settings)
    workers = parallel.worker_count(settings, busy_elsewhere, info.page_count)
    progress.set(TaskState.PROCESSING, 10, f"loaded: {info.page_count} page(s)")
    log.info("%s %s: %d page(s), %d at a time, languages %s", progress.task_id, progress.name,
             info.page_count, workers, settings.lang)

    def read(number: int, settings: PipelineSettings) -> tuple[ocr.PageText, pages.Page]:
        page = pages.render_page(original, info, number, pages_dir, settings)
        try:
            return ocr.read_page(page, settings), page
        finally:  # the page's image is done with; its searchable PDF stays
            for image in pages_dir.glob(f"page-{number:04d}.*"):
                if image.suffix in pages.IMAGE_SUFFIXES:
                    image.unlink()

    def read_all(settings: PipelineSettings) -> Iterator[tuple[ocr.PageText, pages.Page]]:
        return parallel.map_ordered(lambda number: read(number, settings), range(1, info.page_count + 1), workers)

    texts: list[ocr.PageText] = []
    records = []

    def keep(text: ocr.PageText, page: pages.Page) -> None:
        texts.append(text)
        records.append({**text.to_dict(), "dpi": page.dpi, "dpi_assumed": page.dpi_assumed})
        percent = 25 + int(50 * len(texts) / info.page_count)
        progress.set(TaskState.PROCESSING, percent, f"page {len(texts)} of {info.page_count}")

    # Page one's language decides what every page is read with. The pages after it start
    # at once with the configured languages on the cores page one leaves idle; only when
    # page one turns out to be in another installed language are they read again.
    pages_read = read_all(settings)
    first, first_page = next(pages_read)
    choice = None
    if first.source in (ocr.PageSource.OCR, ocr.PageSource.MIXED):
        choice = ocr_language.choose(first.text, settings.languages, ocr_language.installed(settings.tesseract_cmd))
        log.info("%s %s: OCR languages: %s", progress.task_id, progress.name, choice.reason)
        if choice.used != settings.languages:
            pages_read.close()  # drops the pages not begun, waits for those under way
            settings = dataclasses.replace(settings, languages=choice.used)
            pages_read = read_all(settings)
            first, first_page = next(pages_read)
    keep(first, first_page)
    for text, page in pages_read:
        keep(text, page)
    return Document(kind, info, texts, records, settings.languages, choice)
