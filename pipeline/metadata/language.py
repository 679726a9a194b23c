"""Which of the five supported languages a document is written in.

py3langid (a maintained fork of langid.py: a naive Bayes model over byte n-grams)
restricted to our five languages: on the two labeled sets it names 201/201 full texts
and 190/201 sixty-character snippets right, where the former vote of function words
named 172/201 and 8/201 (receipts and forms have few function words). 0.3-0.7 ms a
document; the model loads once per process (~0.1 s). Unlike langdetect it is
deterministic. 0.2.2 is the last release that runs on Debian bookworm's numpy 1.24
(0.3 needs numpy >= 2), which is what the armv7 image has.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipeline.metadata.words import words

LANGUAGES = ("en", "de", "fr", "es", "it")
MIN_WORDS = 3  # fewer words than this say nothing about a language
MIN_CONFIDENCE = 0.8  # below it the text is mixed or not one of ours: unsure
SAMPLE_CHARS = 6000  # a document keeps its language: two pages of text tell it, and cost stays flat
# Tesseract's language codes for ours: the OCR language is the hint where text is unsure.
FROM_TESSERACT = {"eng": "en", "deu": "de", "fra": "fr", "spa": "es", "ita": "it"}
TO_TESSERACT = {ours: code for code, ours in FROM_TESSERACT.items()}


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def preload(among: Sequence[str] = LANGUAGES) -> None:
    """Load the model for `among` now: a worker does, so that the work horses RQ forks
    for each job inherit it instead of loading it again (0.05-0.08 s a job here)."""
    _identifier(tuple(sorted(among)))


def detect(pages: Sequence[str], among: Sequence[str] = LANGUAGES) -> str | None:
    """The language of the text, one of `among`, or None if unsure.

    Unsure means fewer than MIN_WORDS words, or a best language under MIN_CONFIDENCE:
    a wrong language would flip 01/02 dates, so None (and the neutral defaults it
    brings) is the safer answer.
    """
    text = "\n".join(pages)[:SAMPLE_CHARS]
    if len(words(text)) < MIN_WORDS or not among:
        return None
    language, confidence = _identifier(tuple(sorted(among))).classify(text)
    return language if confidence >= MIN_CONFIDENCE else None
