"""Which languages tesseract reads a document with: the configured ones, or the
language page one turns out to be written in.

Read with the wrong language, French loses its accents ("alcOve, ot les bUches"
instead of "l'alcôve, où les bûches") and German its umlauts, and the words the
category rules look for are not there. So page one's text decides: when it is in a
language tesseract has installed but was not asked for, the document is read again
with that language from page one (pipeline.read drops the pages not yet begun): the
cost of a second read is paid once per document, never per page. The choice and its
reason go into the result JSON (`ocr_languages`).
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass

from pipeline.metadata import language

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    configured: tuple[str, ...]  # tesseract codes from config, the inbox folder or the upload
    used: tuple[str, ...]  # what the pages were read with
    detected: str | None  # the tesseract code page one's text was found to be, None if unsure
    reread_first_page: bool
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"configured": list(self.configured), "used": list(self.used), "detected": self.detected,
                "reread_first_page": self.reread_first_page, "reason": self.reason}


_INSTALLED: dict[str, frozenset[str]] = {}


def installed(tesseract_cmd: str) -> frozenset[str]:
    """The languages `tesseract --list-langs` names, asked once per process; a failed
    listing is not kept (the next document asks again) and means: no re-read."""
    if tesseract_cmd not in _INSTALLED:
        try:
            listing = subprocess.run([tesseract_cmd, "--list-langs"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return frozenset()
        languages = frozenset(line.strip() for line in listing.stdout.splitlines()[1:] if line.strip())
        if listing.returncode != 0 or not languages:
            return frozenset()
        _INSTALLED[tesseract_cmd] = languages
    return _INSTALLED[tesseract_cmd]


def preload(tesseract_cmd: str) -> None:
    """Ask tesseract for its languages and load the detector for them once, in the
    worker: every work horse RQ forks for a job inherits both."""
    language.preload(_candidates(installed(tesseract_cmd)))


def _candidates(available: frozenset[str]) -> list[str]:
    """Our languages that tesseract has installed: what page one may be found to be."""
    return [ours for code, ours in language.FROM_TESSERACT.items() if code in available]


def choose(first_page: str, configured: tuple[str, ...], available: frozenset[str]) -> LanguageChoice:
    """The languages for the document, from the text page one was read as."""
    detected = language.detect([first_page], among=_candidates(available))
    code = language.TO_TESSERACT[detected] if detected else None
    if code is None:
        return LanguageChoice(configured, configured, None, False,
                              "page 1 is too short or mixed to tell its language; read with the configured languages")
    if code in configured:
        return LanguageChoice(configured, configured, code, False, f"page 1 is {code}, one of the configured languages")
    return LanguageChoice(configured, (code,), code, True,
                          f"page 1 is {code}, which is installed but was not among the configured "
                          f"{'+'.join(configured)}; page 1 read again and every page read with {code}")
