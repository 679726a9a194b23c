"""Words of page text, folded so that OCR output and config keywords compare equal.

OCR drops and swaps accents ("Marz", "Kundigung") and owners type keywords without
them, so matching works on case- and accent-folded words. ß becomes ss, as a German
reader would accept.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case `text` and strip accents; keeps length-changing ß -> ss."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of `text`, punctuation dropped ("d'impôt" -> ["d", "impot"])."""
    return WORD.findall(fold(text))


class _AlignedFold(dict[int, str]):
    """str.translate table: each character to the first character of its fold,
    computed on first sight and kept (the alphabet of our documents is small)."""

    def __missing__(self, code: int) -> str:
        folded = fold(chr(code)) or chr(code)
        self[code] = folded[0]
        return folded[0]


_ALIGNED = _AlignedFold()


def fold_aligned(text: str) -> str:
    """Like fold, but one character out per character in, so match offsets found in
    the folded text are valid in the original (ß -> s here, not ss)."""
    return text.translate(_ALIGNED)
