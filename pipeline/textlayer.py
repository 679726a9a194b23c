"""A PDF page's own text (poppler's pdftotext), and whether it is real text.

"Has a text layer" is not "pdftotext printed something": a tagged PDF may hold no text
at all (paperless-ngx #13387), and a Photoshop PDF may carry text objects that decode
as garbage: byte-swapped UTF-16, where "Mul" comes out as U+4D00 U+7500 U+6C00. Such a
page is OCRed like a scan.
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

# A page with images "carries text" when its text layer has this many plausible letters
# or digits; fewer is a scanner's stray label or a page number, and the page is OCRed.
# On a page without images any text counts: there is nothing else to read.
MIN_TEXT_CHARS = 20
# ...and when at most this share of its letters look like decoding garbage.
MAX_GARBAGE_SHARE = 0.2


def read_all(path: Path, pages: int, timeout: int) -> tuple[str, ...] | None:
    """Every page's text in one pdftotext run (pages end in form feeds), a fraction of a
    run per page; None when the pages do not come out as `pages` (read them one by one)."""
    try:
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
            capture_output=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    texts = out.stdout.decode("utf-8", "replace").split("\f")
    if out.returncode != 0 or len(texts) != pages + 1 or texts[-1].strip():
        return None
    return tuple(text.strip() for text in texts[:-1])


def read(path: Path, number: int, timeout: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), "-layout", "-enc", "UTF-8",
         str(path), "-"],
        capture_output=True, timeout=timeout, check=False,
    )
    return out.stdout.decode("utf-8", "replace").replace("\f", "").strip()


def is_real_text(text: str, min_chars: int = MIN_TEXT_CHARS) -> bool:
    """At least `min_chars` plausible letters or digits, and little garbage."""
    chars = [ch for ch in text if ch.isalnum() or _is_garbage(ch)]
    garbage = sum(_is_garbage(ch) for ch in chars)
    plausible = len(chars) - garbage
    return plausible >= min_chars and garbage <= MAX_GARBAGE_SHARE * len(chars)


def _is_garbage(ch: str) -> bool:
    code = ord(ch)
    if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cs", "Cn"):
        return True  # replacement, private-use, surrogate or unassigned: no font mapping
    # U+xx00 above Latin-1: an ASCII byte read as the high half of UTF-16. Real CJK
    # text hits these code points once in 256 characters, not every time.
    return code > 0xFF and code & 0xFF == 0
