"""Category rules from the `categories:` section of config.yaml.

The rules live in config so that an owner can add a "Kindergarten" category without
code. This module only validates and types them; the matching is in
`pipeline/categorize.py`. The config loader calls `parse_categories(raw.get("categories"))`
at start-up, so a typo fails the daemon at once, with the key named, instead of failing
every job later.

Shape (config.yaml ships the defaults)::

    categories:
      min_score: 4            # below this the document is "other"
      folder_weight: 6        # added when the inbox subfolder names the category
      regex_timeout: 0.25     # seconds one regex may run on one document
      other_language_factor: 0
      invoice:
        folders: [invoices, Rechnungen]
        default_mode: fuzzy   # for plain strings and the items of any/all
        keywords:
          de:
            - rechnung                                   # weight 1, default_mode
            - {term: rechnungsnummer, weight: 3}
            - {terms: [netto, brutto], mode: all, weight: 2}
            - {term: 'RE-\\d{4}-\\d+', mode: regex, weight: 2}
            - {terms: [rechnungsbetrag, zahlbar bis], evidence: true}   # see below

A category with `evidence: true` terms wins only when one of them is found: a shared
word ("Rechnung" in a club circular, "Kontoauszug" in an article) is not enough, the
document must show something of its own kind (an amount due, a balance line, a cash
or card payment line). A negative weight counts against the category.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import regex

from docvault.core.errors import ConfigError

LANGUAGES = ("en", "de", "fr", "es", "it", "any")
SETTINGS = ("min_score", "folder_weight", "regex_timeout", "other_language_factor")
CATEGORY_KEYS = ("folders", "keywords", "default_mode")
TERM_KEYS = ("term", "terms", "mode", "weight", "max_edits", "evidence")
OTHER = "other"


class MatchMode(Enum):
    EXACT = "exact"  # whole words, case and accents ignored
    FUZZY = "fuzzy"  # like exact, but a few OCR errors per word are forgiven
    REGEX = "regex"  # a regular expression, run with a timeout
    ANY = "any"  # a group: one of the alternatives is enough
    ALL = "all"  # a group: every item must be somewhere in the document


TEXT_MODES = (MatchMode.EXACT, MatchMode.FUZZY)


@dataclass(frozen=True, slots=True)
class Term:
    """One scoring rule of a category.

    `texts` holds one text for exact/fuzzy/regex and the items for any/all;
    `item_mode` is how those items are compared (exact or fuzzy). `key` is the config
    key, so that logs and the category JSON can point the owner at the rule.
    """

    key: str
    mode: MatchMode
    texts: tuple[str, ...]
    weight: float
    language: str
    item_mode: MatchMode = MatchMode.FUZZY
    max_edits: int | None = None
    pattern: regex.Pattern[str] | None = None
    evidence: bool = False  # the category needs one of its evidence terms to win

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "mode": self.mode.value,
            "texts": list(self.texts),
            "weight": self.weight,
            "language": self.language,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class CategoryRule:
    name: str
    terms: tuple[Term, ...]
    folders: tuple[str, ...]

    @property
    def needs_evidence(self) -> bool:
        return any(term.evidence for term in self.terms)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "folders": list(self.folders),
            "terms": [t.to_dict() for t in self.terms],
        }


@dataclass(frozen=True, slots=True)
class CategoryRules:
    """All categories plus the global knobs of the scorer.

    An empty `categories` is allowed (every document is then "other"): a config without
    the section still runs, it just files nothing.
    """

    categories: tuple[CategoryRule, ...] = ()
    min_score: float = 4.0
    folder_weight: float = 6.0
    regex_timeout: float = 0.25
    other_language_factor: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "min_score": self.min_score,
            "folder_weight": self.folder_weight,
            "regex_timeout": self.regex_timeout,
            "other_language_factor": self.other_language_factor,
            "categories": [c.to_dict() for c in self.categories],
        }


def parse_categories(raw: object, key: str = "categories") -> CategoryRules:
    """Validate the raw YAML value of `categories:` into typed rules.

    Raises ConfigError naming the key (e.g. "categories.invoice.keywords.de[2]") on an
    unknown key or a bad value, so the owner knows which line to fix.
    """
    if raw is None:
        return CategoryRules()
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: expected a mapping of settings and categories, got {_kind(raw)}")
    settings: dict[str, float] = {}
    categories: list[CategoryRule] = []
    for name, value in raw.items():
        if not isinstance(name, str):
            raise ConfigError(f"{key}: category names must be text, got {name!r}")
        if name in SETTINGS:
            settings[name] = _setting(name, value, f"{key}.{name}")
        else:
            categories.append(_category(name, value, f"{key}.{name}"))
    return CategoryRules(categories=tuple(categories), **settings)


def _setting(name: str, value: object, key: str) -> float:
    number = _number(value, key)
    if name == "regex_timeout" and not 0 < number <= 60:
        raise ConfigError(f"{key}: must be between 0 and 60 seconds, got {value!r}")
    if name == "other_language_factor" and not 0 <= number <= 1:
        raise ConfigError(f"{key}: must be between 0 and 1, got {value!r}")
    if number < 0:
        raise ConfigError(f"{key}: must not be negative, got {value!r}")
    return number


def _category(name: str, raw: object, key: str) -> CategoryRule:
    if not regex.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ConfigError(
            f"{key}: a category name is lower-case letters, digits and _ (or an unknown "
            f"setting; settings are {', '.join(SETTINGS)})"
        )
    if name == OTHER:
        raise ConfigError(f"{key}: 'other' is what falls below min_score; it takes no rules")
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: expected a mapping with {', '.join(CATEGORY_KEYS)}, got {_kind(raw)}")
    _reject_unknown(raw, CATEGORY_KEYS, key)
    default_mode = _mode(raw.get("default_mode", "fuzzy"), f"{key}.default_mode")
    if default_mode not in TEXT_MODES:
        raise ConfigError(f"{key}.default_mode: must be exact or fuzzy, got {default_mode.value!r}")
    folders = tuple(_strings(raw.get("folders", []), f"{key}.folders"))
    keywords = raw.get("keywords", {})
    if not isinstance(keywords, dict):
        raise ConfigError(f"{key}.keywords: expected a mapping of language to a list, got {_kind(keywords)}")
    terms: list[Term] = []
    for language, entries in keywords.items():
        lang_key = f"{key}.keywords.{language}"
        if language not in LANGUAGES:
            raise ConfigError(f"{lang_key}: unknown language; use one of {', '.join(LANGUAGES)}")
        if not isinstance(entries, list):
            raise ConfigError(f"{lang_key}: expected a list of keywords, got {_kind(entries)}")
        for i, entry in enumerate(entries):
            terms.append(_term(entry, language, default_mode, f"{lang_key}[{i}]"))
    if not terms and not folders:
        raise ConfigError(f"{key}: a category needs keywords or folders, else it can never win")
    return CategoryRule(name=name, terms=tuple(terms), folders=folders)


def _term(raw: object, language: str, default_mode: MatchMode, key: str) -> Term:
    if isinstance(raw, str):
        raw = {"term": raw}
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: expected a text or a mapping with {', '.join(TERM_KEYS)}, got {_kind(raw)}")
    _reject_unknown(raw, TERM_KEYS, key)
    has_group = "terms" in raw
    mode = _mode(raw.get("mode", "any" if has_group else default_mode.value), f"{key}.mode")
    weight = _number(raw.get("weight", 1), f"{key}.weight")
    evidence = raw.get("evidence", False)
    if not isinstance(evidence, bool):
        raise ConfigError(f"{key}.evidence: must be true or false, got {evidence!r}")
    max_edits = raw.get("max_edits")
    if max_edits is not None and (type(max_edits) is not int or not 0 <= max_edits <= 3):
        raise ConfigError(f"{key}.max_edits: must be a whole number from 0 to 3, got {max_edits!r}")
    if mode in (MatchMode.ANY, MatchMode.ALL):
        if "term" in raw or not has_group:
            raise ConfigError(f"{key}: mode {mode.value} takes a list under 'terms', not 'term'")
        texts = tuple(_strings(raw["terms"], f"{key}.terms"))
        if not texts:
            raise ConfigError(f"{key}.terms: must not be empty")
        return Term(key, mode, texts, weight, language, item_mode=default_mode, max_edits=max_edits, evidence=evidence)
    if has_group or "term" not in raw:
        raise ConfigError(f"{key}: mode {mode.value} takes one text under 'term' (lists are for any/all)")
    text = raw["term"]
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{key}.term: expected a non-empty text, got {text!r}")
    pattern = None
    if mode is MatchMode.REGEX:
        try:
            pattern = regex.compile(text, regex.IGNORECASE | regex.MULTILINE)
        except regex.error as exc:
            raise ConfigError(f"{key}.term: not a valid regular expression: {exc}") from exc
    return Term(key, mode, (text,), weight, language, max_edits=max_edits, pattern=pattern, evidence=evidence)


def _mode(raw: object, key: str) -> MatchMode:
    try:
        return MatchMode(raw)
    except ValueError:
        modes = ", ".join(m.value for m in MatchMode)
        raise ConfigError(f"{key}: unknown mode {raw!r}; use one of {modes}") from None


def _number(raw: object, key: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise ConfigError(f"{key}: expected a number, got {raw!r}")
    return float(raw)


def _strings(raw: object, key: str) -> list[str]:
    if not isinstance(raw, list):
        raise ConfigError(f"{key}: expected a list of texts, got {_kind(raw)}")
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{key}[{i}]: expected a non-empty text, got {item!r}")
    return list(raw)


def _reject_unknown(raw: dict[object, object], allowed: tuple[str, ...], key: str) -> None:
    for name in raw:
        if name not in allowed:
            raise ConfigError(f"{key}.{name}: unknown key; allowed here: {', '.join(allowed)}")


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
