"""Which category a document belongs to, with the reasons, so a wrong call can be fixed.

Every term of every category is looked for once; a found term adds its weight. Only
terms of the document's language (or marked `any`) count, unless the language is
unknown; other_language_factor scales the rest (0 by default: "bar" is cash in
German, not in English). A category with evidence terms needs one of them found. The inbox subfolder the
file was dropped into is a strong hint: the owner chose it. Regexes come from the
owner's config and run with a timeout; one that runs too long is abandoned and named
in the result and the log, and the worker goes on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docvault.core.categories import OTHER, CategoryRules, MatchMode, Term
from pipeline.metadata import Metadata
from pipeline.metadata.terms import Hit, WordIndex
from pipeline.metadata.words import fold

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TermMatch:
    category: str
    key: str  # the config key of the rule, e.g. categories.invoice.keywords.de[0]
    mode: str
    term: str  # as configured
    found: str  # as found in the text (folded), shows what fuzzy forgave
    page: int
    weight: float  # what it added to the score

    def to_dict(self) -> dict[str, object]:
        return {"category": self.category, "key": self.key, "mode": self.mode, "term": self.term,
                "found": self.found, "page": self.page, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class FolderHint:
    folder: str  # the inbox subfolder name as given
    category: str | None  # the category it names, None if it names none
    weight: float  # what it added to that category's score

    def to_dict(self) -> dict[str, object]:
        return {"folder": self.folder, "category": self.category, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class Abandoned:
    category: str
    key: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"category": self.category, "key": self.key, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Category:
    """The decision. For "other", `runner_up` is the best category that stayed below
    min_score and `matched` holds its terms, which says how close it came; with
    nothing matched at all there is no runner-up. `no_evidence` names the categories
    whose words were found but none of their evidence terms (they could not win)."""

    category: str
    score: float
    runner_up: str | None
    runner_up_score: float
    matched: tuple[TermMatch, ...]
    folder_hint: FolderHint | None
    abandoned: tuple[Abandoned, ...]
    no_evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "score": round(self.score, 2),
            "runner_up": None if self.runner_up is None
            else {"category": self.runner_up, "score": round(self.runner_up_score, 2)},
            "matched": [m.to_dict() for m in self.matched],
            "folder_hint": self.folder_hint.to_dict() if self.folder_hint else None,
            "abandoned": [a.to_dict() for a in self.abandoned],
            "no_evidence": list(self.no_evidence),
        }


def categorize(
    pages: Sequence[str], meta: Metadata, rules: CategoryRules, folder_hint: str | None = None
) -> Category:
    """Score every category on the page texts and pick the best above min_score."""
    index = WordIndex(pages)
    text = "\f".join(pages)  # regexes see the pages as one text; \f marks page breaks
    abandoned: list[Abandoned] = []
    scores: list[tuple[float, int, str, list[TermMatch]]] = []
    hint = _folder_hint(folder_hint, rules)
    no_evidence: list[str] = []
    for order, rule in enumerate(rules.categories):
        matches: list[TermMatch] = []
        evidenced = False
        for term in rule.terms:
            factor = _language_factor(term, meta.language, rules)
            if factor == 0:
                continue
            hit = _find(term, index, text, rules.regex_timeout, rule.name, abandoned)
            if hit is not None:
                evidenced = evidenced or term.evidence
                matches.append(TermMatch(rule.name, term.key, term.mode.value, " | ".join(term.texts),
                                         hit.text, hit.page, term.weight * factor))
        matches = _once_per_word(matches)
        score = sum(m.weight for m in matches)
        hinted = hint is not None and hint.category == rule.name
        if hinted:
            score += hint.weight
        elif rule.needs_evidence and not evidenced:
            if score > 0:
                no_evidence.append(rule.name)
            score = 0.0
        scores.append((score, order, rule.name, matches))
    scores.sort(key=lambda s: (-s[0], s[1]))
    best = scores[0] if scores else (0.0, 0, OTHER, [])
    second = scores[1] if len(scores) > 1 and scores[1][0] > 0 else None
    if best[0] < rules.min_score or best[0] <= 0:
        runner_up = best if best[0] > 0 else None
        return Category(OTHER, best[0] if runner_up else 0.0, runner_up[2] if runner_up else None,
                        runner_up[0] if runner_up else 0.0, tuple(runner_up[3]) if runner_up else (), hint,
                        tuple(abandoned), tuple(no_evidence))
    return Category(best[2], best[0], second[2] if second else None, second[0] if second else 0.0,
                    tuple(best[3]), hint, tuple(abandoned), tuple(no_evidence))


def _find(term: Term, index: WordIndex, text: str, timeout: float, category: str,
          abandoned: list[Abandoned]) -> Hit | None:
    if term.mode is MatchMode.REGEX:
        assert term.pattern is not None
        try:
            match = term.pattern.search(text, timeout=timeout)
        except TimeoutError:
            reason = f"regex ran longer than {timeout:g} s and was abandoned"
            log.warning("category %s: rule %s: %s", category, term.key, reason)
            abandoned.append(Abandoned(category, term.key, reason))
            return None
        if match is None:
            return None
        return Hit(match.group(0)[:80], text.count("\f", 0, match.start()) + 1)
    fuzzy = (term.item_mode if term.mode in (MatchMode.ANY, MatchMode.ALL) else term.mode) is MatchMode.FUZZY
    hits = []
    for item in term.texts:
        hit = index.find(item, fuzzy, term.max_edits)
        if hit is not None and term.mode is not MatchMode.ALL:
            return hit
        if hit is None and term.mode is MatchMode.ALL:
            return None
        hits.append(hit)
    if term.mode is MatchMode.ALL and hits:
        return Hit(" + ".join(h.text for h in hits if h), min(h.page for h in hits if h))
    return None


def _once_per_word(matches: list[TermMatch]) -> list[TermMatch]:
    """One place in the text counts once per category, at its best weight: fuzzy
    "facture" (fr), "factura" (es) and "fattura" (it) all find the word "factura"."""
    best: dict[tuple[str, int], TermMatch] = {}
    for match in matches:
        key = (match.found, match.page)
        if key not in best or match.weight > best[key].weight:
            best[key] = match
    return [m for m in matches if best[(m.found, m.page)] is m]


def _language_factor(term: Term, language: str | None, rules: CategoryRules) -> float:
    if term.language == "any" or language is None or term.language == language:
        return 1.0
    return rules.other_language_factor


def _folder_hint(folder: str | None, rules: CategoryRules) -> FolderHint | None:
    """The inbox subfolder names a category if it equals its name or one of its
    `folders`, ignoring case, accents, _ and - and a plural s ("Bank-Statements")."""
    if not folder:
        return None
    wanted = _folder_key(folder)
    for rule in rules.categories:
        names = (rule.name, *rule.folders)
        if any(_folder_key(name) == wanted for name in names):
            return FolderHint(folder, rule.name, rules.folder_weight)
    return FolderHint(folder, None, 0.0)


def _folder_key(name: str) -> str:
    key = re.sub(r"[\s_-]+", " ", fold(name)).strip()
    return key[:-1] if key.endswith("s") and len(key) > 3 else key
