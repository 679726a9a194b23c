"""Finding a category rule's words in a document, exactly or despite OCR errors.

Fuzzy lookup uses deletion neighbourhoods (the SymSpell idea): two words within k edits
share a form with at most k letters deleted from each. Each distinct word of the
document is indexed once by its one- (and, lazily, two-) letter deletions; a term
then looks up its own deletions and confirms candidates with a bounded edit distance.
That keeps a 50-page document with ~150 fuzzy terms in tens of milliseconds in pure
Python; running regex's fuzzy `(?:term){e<=1}` over the text took ~0.5 s on x86.
No rapidfuzz: Debian bookworm does not package it, and the NAS is 32-bit ARM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.metadata.words import words

MIN_FUZZY_LENGTH = 4  # shorter words are compared exactly, or "ust" would match "und"
LONG_WORD = 8  # words this long get two-letter deletions indexed


@dataclass(frozen=True, slots=True)
class Hit:
    text: str  # the words as found (folded), e.g. "rechnunq" for the term "rechnung"
    page: int  # 1-based


def allowed_edits(word: str, max_edits: int | None = None) -> int:
    """OCR errors forgiven in one word: none up to 5 letters, 1 up to 9, then 2."""
    if max_edits is not None:
        return max_edits if len(word) >= MIN_FUZZY_LENGTH else 0
    if len(word) <= 5:
        return 0
    return 1 if len(word) <= 9 else 2


class WordIndex:
    """The folded words of a document with their pages, indexed for term lookup.

    Built once per document and shared by all rules; the deletion indexes are built
    only when a fuzzy term asks for them.
    """

    def __init__(self, pages: Sequence[str]) -> None:
        self.words: list[str] = []
        self.pages: list[int] = []
        for number, text in enumerate(pages, start=1):
            page_words = words(text)
            self.words.extend(page_words)
            self.pages.extend([number] * len(page_words))
        self.positions: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            self.positions.setdefault(word, []).append(position)
        self._deletions: dict[int, dict[str, set[str]]] = {}

    def find(self, phrase: str, fuzzy: bool, max_edits: int | None = None) -> Hit | None:
        """The first place where the words of `phrase` follow each other, or None."""
        wanted = words(phrase)
        if not wanted:
            return None
        budgets = [allowed_edits(w, max_edits) if fuzzy else 0 for w in wanted]
        starts: list[int] = []
        for candidate in self._similar(wanted[0], budgets[0]):
            starts.extend(self.positions[candidate])
        for start in sorted(starts):
            end = start + len(wanted)
            if end > len(self.words):
                continue
            if all(within(want, self.words[start + i], budgets[i]) for i, want in enumerate(wanted[1:], 1)):
                return Hit(" ".join(self.words[start:end]), self.pages[start])
        return None

    def _similar(self, word: str, edits: int) -> set[str]:
        if edits == 0 or len(word) < MIN_FUZZY_LENGTH:
            return {word} if word in self.positions else set()
        if edits == 1 and len(word) >= 6:
            index = self._deletion_index(1)
        elif edits == 2 and len(word) >= LONG_WORD + 2:
            index = self._deletion_index(2)  # its matches have LONG_WORD letters or more
        else:  # an owner's max_edits on a short word: rare, so a plain scan
            return {w for w in self.positions if abs(len(w) - len(word)) <= edits and within(word, w, edits)}
        candidates: set[str] = set()
        for variant in _deletions(word, min(edits, 2)):
            candidates |= index.get(variant, set())
        return {c for c in candidates if within(word, c, edits)}

    def _deletion_index(self, depth: int) -> dict[str, set[str]]:
        """Deletion forms -> words; two-letter deletions only of long words, as they
        are the only ones a two-edit term can match, and they are few."""
        if depth not in self._deletions:
            index: dict[str, set[str]] = {}
            # Default budgets give one edit from 6 letters on, so 5-letter words are the
            # shortest a default term can match; numbers never carry a keyword.
            shortest = 5 if depth == 1 else LONG_WORD
            for word in self.positions:
                if len(word) >= shortest and word.isalpha():
                    for variant in _deletions(word, depth):
                        index.setdefault(variant, set()).add(word)
            self._deletions[depth] = index
        return self._deletions[depth]


def _deletions(word: str, depth: int) -> set[str]:
    """`word` with up to `depth` (1 or 2) letters deleted, `word` itself included."""
    once = {word[:i] + word[i + 1:] for i in range(len(word))}
    if depth == 1:
        return once | {word}
    twice = {v[:i] + v[i + 1:] for v in once for i in range(len(v))}
    return twice | once | {word}


def within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b is at most `limit` (stops early when above).

    A word that only adds or drops letters at the end is another word, not an OCR
    error: "changes" is not "change", "bars" not "bar" (whole words only)."""
    if a == b:
        return True
    if limit == 0 or abs(len(a) - len(b)) > limit or a.startswith(b) or b.startswith(a):
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit
