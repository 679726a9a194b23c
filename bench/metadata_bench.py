"""How accurate and how fast metadata extraction and categorization are.

    python -m bench.metadata_bench [--no-ocr]

Prints per-field accuracy on the labeled sets, digital and scanned apart: the
development set (tests/fixtures/labeled/, its scans OCRed with tesseract as in the
tests), the first frozen set (tests/fixtures/heldout/, looked at while tuning) and the
test set (tests/fixtures/testset/, written without reading the rules, never tuned on). Then the time
to extract and categorize a 50-page document built from the labeled texts, to compare
with OCR time: the goal is under 5 % of it (tesseract takes ~2-4 s per 300 dpi page on
the NAS, so ~100-200 s for 50 pages).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.labeled import (FIELDS, HELDOUT_DIR, TESTSET_DIR, Accuracy, LabeledDoc, is_scanned, load_labeled,
                           load_rules, page_texts, score)
from docvault.core.categories import CategoryRules
from pipeline.categorize import categorize
from pipeline.metadata import extract

PAGES = 50
PAGE_CHARS = 3000  # a full A4 page of text
RUNS = 5
OCR_SECONDS_PER_PAGE = 2.0  # the low end on the NAS: the strictest comparison


def full_pages(texts: list[str], count: int, chars: int = PAGE_CHARS) -> list[str]:
    """`count` pages of about `chars` characters each, made by joining labeled texts in
    turn: a labeled text is a third of a printed page, and cost grows with the text."""
    pages, i = [], 0
    for _ in range(count):
        page = []
        while sum(map(len, page)) < chars:
            page.append(texts[i % len(texts)])
            i += 1
        pages.append("\n\n".join(page))
    return pages


def report(title: str, docs: Sequence[LabeledDoc], texts: Sequence[Sequence[str]], rules: CategoryRules,
           show_misses: bool = True) -> Accuracy:
    """One table: each field on the digital documents, the scanned ones and all."""
    parts = {"digital": [i for i, d in enumerate(docs) if not is_scanned(d)],
             "scanned": [i for i, d in enumerate(docs) if is_scanned(d)]}
    results = {name: score([docs[i] for i in idx], [texts[i] for i in idx], rules) for name, idx in parts.items()}
    whole = score(docs, texts, rules)
    print(f"{title}: {whole.documents} documents ({len(parts['digital'])} digital, {len(parts['scanned'])} scanned)")
    print(f"  {'field':<14} {'digital':>8} {'scanned':>8} {'all':>8}")
    for name in FIELDS:
        if whole.counts[name]:
            cells = [f"{r.rate(name):8.1%}" if r.counts[name] else f"{'-':>8}" for r in (*results.values(), whole)]
            print(f"  {name:<14} {' '.join(cells)}")
    print(f"  IBANs reported: {whole.invalid_ibans} invalid, {whole.wrong_ibans} valid but not the document's")
    if show_misses:
        for miss in whole.misses:
            print(f"  miss: {miss}")
    return whole


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-ocr", action="store_true", help="score the dev set's plain texts, skip tesseract")
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = parser.parse_args(argv)

    docs = load_labeled()
    rules = load_rules()
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        texts = [page_texts(doc, None if args.no_ocr else Path(work)) for doc in docs]
        ocr_seconds = time.perf_counter() - started
    if args.no_ocr:
        docs = [LabeledDoc(d.name, d.text, {**d.expected, "ocr": False}) for d in docs]
    report(f"development set (tests/fixtures/labeled, OCR {ocr_seconds:.1f} s)", docs, texts, rules, not args.quiet)
    held = load_labeled(HELDOUT_DIR)
    report("first test set (tests/fixtures/heldout; its misses were looked at while tuning: not clean)", held,
           [page_texts(d, None) for d in held], rules, not args.quiet)
    tests = load_labeled(TESTSET_DIR)
    report("test set (tests/fixtures/testset, frozen, written without reading the rules, never tuned on)",
           tests, [page_texts(d, None) for d in tests], rules, not args.quiet)
    print(f"  goals on the test set: category, document_date, total >= 0.95; iban >= 0.98 with 0 invalid; "
          "correspondent >= 0.85")

    pages = full_pages(["\n\n".join(t) for t in texts], PAGES)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        meta = extract(pages)
        categorize(pages, meta, rules, folder_hint="invoices")
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    budget = PAGES * OCR_SECONDS_PER_PAGE * 1000 * 0.05
    print(f"{PAGES}-page document ({sum(map(len, pages)):,} characters): extract + categorize "
          f"median {median:.0f} ms, min {min(timings):.0f} ms over {RUNS} runs on this machine")
    print(f"  5 % of OCR at {OCR_SECONDS_PER_PAGE:g} s/page is {budget:.0f} ms: "
          f"{median / budget:.1%} of that budget used here; ARMv7 may be 5-10x slower")


if __name__ == "__main__":
    main()
