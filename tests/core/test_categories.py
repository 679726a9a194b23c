"""The `categories:` config section: typed rules out, ConfigError naming the key in."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from docvault.core.categories import MatchMode, parse_categories
from docvault.core.errors import ConfigError

DEFAULTS = Path(__file__).resolve().parents[2] / "config.yaml"  # ships the defaults


def test_shipped_defaults_parse_with_every_category() -> None:
    rules = parse_categories(yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))["categories"])
    names = {c.name for c in rules.categories}
    assert names == {
        "invoice", "receipt", "bank_statement", "contract", "letter",
        "payslip", "tax", "insurance", "medical",
    }
    for category in rules.categories:
        languages = {t.language for t in category.terms}
        assert {"en", "de", "fr", "es", "it"} <= languages, category.name
    assert rules.min_score > 0


def test_plain_string_takes_the_category_default_mode() -> None:
    rules = parse_categories({"min_score": 2, "invoice": {"default_mode": "exact", "keywords": {"de": ["rechnung"]}}})
    term = rules.categories[0].terms[0]
    assert (term.mode, term.texts, term.weight, term.language) == (MatchMode.EXACT, ("rechnung",), 1.0, "de")
    assert term.key == "categories.invoice.keywords.de[0]"
    assert rules.min_score == 2.0


def test_groups_and_regex_are_typed() -> None:
    rules = parse_categories({"contract": {"keywords": {"any": [
        {"terms": ["laufzeit", "kündigung"], "mode": "all", "weight": 3},
        {"terms": ["vertrag", "contract"]},
        {"term": r"\bRE-\d+", "mode": "regex", "weight": 2.5},
    ]}}})
    all_term, any_term, regex_term = rules.categories[0].terms
    assert all_term.mode is MatchMode.ALL and all_term.texts == ("laufzeit", "kündigung")
    assert any_term.mode is MatchMode.ANY and any_term.item_mode is MatchMode.FUZZY
    assert regex_term.pattern is not None and regex_term.pattern.search("re-42")


def test_missing_section_means_no_categories() -> None:
    assert parse_categories(None).categories == ()


@pytest.mark.parametrize(("raw", "key"), [
    ({"invoice": {"keywords": {"de": ["rechnung", "betrag", 7]}}}, "categories.invoice.keywords.de[2]"),
    ({"invoice": {"keywords": {"nl": ["factuur"]}}}, "categories.invoice.keywords.nl"),
    ({"invoice": {"keywords": {"de": ["x"]}, "colour": "red"}}, "categories.invoice.colour"),
    ({"invoice": {"keywords": {"de": [{"term": "x", "mode": "sloppy"}]}}}, "categories.invoice.keywords.de[0].mode"),
    ({"invoice": {"keywords": {"de": [{"term": "(unclosed", "mode": "regex"}]}}}, "categories.invoice.keywords.de[0].term"),
    ({"invoice": {"keywords": {"de": [{"term": "x", "weight": "high"}]}}}, "categories.invoice.keywords.de[0].weight"),
    ({"invoice": {"keywords": {"de": [{"terms": ["a", "b"], "mode": "exact"}]}}}, "categories.invoice.keywords.de[0]"),
    ({"invoice": {"keywords": {"de": [{"term": "a", "mode": "all"}]}}}, "categories.invoice.keywords.de[0]"),
    ({"invoice": {"keywords": {"de": [{"term": "a", "max_edits": 9}]}}}, "categories.invoice.keywords.de[0].max_edits"),
    ({"min_score": "low"}, "categories.min_score"),
    ({"regex_timeout": 0}, "categories.regex_timeout"),
    ({"Invoice": {"keywords": {"de": ["x"]}}}, "categories.Invoice"),
    ({"other": {"keywords": {"de": ["x"]}}}, "categories.other"),
    ({"invoice": {}}, "categories.invoice"),
    ({"invoice": ["rechnung"]}, "categories.invoice"),
    (["invoice"], "categories"),
])
def test_bad_config_names_the_key(raw: object, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_categories(raw)
    assert caught.value.message.startswith(key + ":"), caught.value.message


def test_loading_the_rules_does_not_import_the_pipeline() -> None:
    """ingest never imports pipeline: the daemon must not load the worker's code."""
    check = "import sys, docvault.core.categories; print(sorted(m for m in sys.modules if m.startswith('pipeline')))"
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
