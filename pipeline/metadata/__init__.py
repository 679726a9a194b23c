"""Metadata of a document read from its page texts, each fact with its page.

A pure function of the texts: the job adds the file-level facts (page count, size,
sha256, mime type, PDF info) because only it has the file. The extractors live in
modules named after what they find (dates, amounts, identifiers, correspondent,
language); this module runs them in the order their results depend on: phone
numbers and IBANs first, so that no date or amount is read out of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.metadata import amounts, correspondent, dates, identifiers, language
from pipeline.metadata.amounts import Amount
from pipeline.metadata.correspondent import Correspondent
from pipeline.metadata.dates import FoundDate
from pipeline.metadata.identifiers import Identifier, Reference


@dataclass(frozen=True, slots=True)
class Metadata:
    language: str | None  # en, de, fr, es, it, or None when unsure
    document_date: FoundDate | None
    dates: tuple[FoundDate, ...]
    total: Amount | None
    amounts: tuple[Amount, ...]  # every amount other than the total
    ibans: tuple[Identifier, ...]
    bics: tuple[Identifier, ...]
    references: tuple[Reference, ...]
    vat_ids: tuple[Identifier, ...]
    emails: tuple[Identifier, ...]
    phones: tuple[Identifier, ...]
    urls: tuple[Identifier, ...]
    correspondent: Correspondent | None

    def to_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "document_date": self.document_date.to_dict() if self.document_date else None,
            "dates": [d.to_dict() for d in self.dates],
            "total": self.total.to_dict() if self.total else None,
            "amounts": [a.to_dict() for a in self.amounts],
            "ibans": [i.to_dict() for i in self.ibans],
            "bics": [b.to_dict() for b in self.bics],
            "references": [r.to_dict() for r in self.references],
            "vat_ids": [v.to_dict() for v in self.vat_ids],
            "emails": [e.to_dict() for e in self.emails],
            "phones": [p.to_dict() for p in self.phones],
            "urls": [u.to_dict() for u in self.urls],
            "correspondent": self.correspondent.to_dict() if self.correspondent else None,
        }


# A printed A4 page holds ~3-5 kB of text; beyond this a "page" is no paper but
# something built to make the extractors work (a text layer of 40 kB of "a.a.a."):
# each extractor pass reads only this much of a page.
MAX_PAGE_CHARS = 20_000


def extract(pages: Sequence[str], language_hint: str | None = None) -> Metadata:
    """Read the metadata of a document; pages[i] is the text of page i+1.

    `language_hint` (the OCR language from config) is used only when the text itself
    is too short or mixed to tell; the reported language is the detected one.
    """
    pages = [page[:MAX_PAGE_CHARS] for page in pages]
    detected = language.detect(pages)
    lang = detected or (language_hint if language_hint in language.LANGUAGES else None)
    phones = identifiers.find_phones(pages)
    ibans = identifiers.find_ibans(pages)
    vat_ids = identifiers.find_vat_ids(pages)
    excluded = _spans_by_page(len(pages), [*phones, *ibans, *vat_ids])
    found_dates = dates.find_dates(pages, lang, excluded)
    date_spans = [[(d.start, d.start + len(d.text)) for d in found_dates if d.page == n + 1] for n in range(len(pages))]
    found_amounts = amounts.find_amounts(pages, [e + d for e, d in zip(excluded, date_spans)], lang)
    total = amounts.pick_total(found_amounts, pages)
    classified, document_date = dates.judge(found_dates, pages)
    others = tuple(a for a in found_amounts if total is None or (a.page, a.start) != (total.page, total.start))
    return Metadata(
        language=detected,
        document_date=document_date,
        dates=tuple(classified),
        total=total,
        amounts=others,
        ibans=tuple(ibans),
        bics=tuple(identifiers.find_bics(pages)),
        references=tuple(identifiers.find_references(pages)),
        vat_ids=tuple(vat_ids),
        emails=tuple(identifiers.find_emails(pages)),
        phones=tuple(phones),
        urls=tuple(identifiers.find_urls(pages)),
        correspondent=correspondent.find_correspondent(pages),
    )


def _spans_by_page(page_count: int, found: Sequence[Identifier]) -> list[list[tuple[int, int]]]:
    spans: list[list[tuple[int, int]]] = [[] for _ in range(page_count)]
    for item in found:
        spans[item.page - 1].append((item.start, item.end))
    return spans
