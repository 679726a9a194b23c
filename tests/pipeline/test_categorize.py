"""pipeline.categorize: matching modes, folder hints, abandoned regexes, labeled accuracy."""

import json
import time

from bench.labeled import LabeledDoc, score
from docvault.core.categories import CategoryRules, parse_categories
from pipeline.categorize import Category, categorize
from pipeline.metadata import extract


def decide(text: str, rules: CategoryRules, folder: str | None = None) -> Category:
    return categorize([text], extract([text]), rules, folder)


def rules_for(**categories: object) -> CategoryRules:
    return parse_categories({"min_score": 2, **categories})


def test_fuzzy_keyword_matches_despite_an_ocr_error(default_rules: CategoryRules) -> None:
    result = decide("RECHNUNQ\nRechnungsnurnmer: RE-1\nGesamtbetraq 10,00 €", default_rules)
    assert result.category == "invoice"
    found = {m.term: m.found for m in result.matched}
    assert found["rechnung"] == "rechnunq"
    assert found["rechnungsnummer"] == "rechnungsnurnmer"


def test_exact_mode_forgives_nothing() -> None:
    rules = rules_for(invoice={"keywords": {"de": [{"term": "rechnung", "mode": "exact", "weight": 3}]}})
    assert decide("Rechnunq", rules).category == "other"
    assert decide("Rechnung", rules).category == "invoice"


def test_short_words_are_never_fuzzy() -> None:
    rules = rules_for(tax={"keywords": {"de": [{"term": "ust", "weight": 3}]}})
    assert decide("und so weiter", rules).category == "other"


def test_all_mode_needs_every_item_and_any_one() -> None:
    rules = rules_for(
        contract={"keywords": {"de": [{"terms": ["laufzeit", "kündigungsfrist"], "mode": "all", "weight": 3}]}},
        letter={"keywords": {"de": [{"terms": ["sehr geehrte", "liebe"], "mode": "any", "weight": 3}]}},
    )
    assert decide("Die Laufzeit beträgt ein Jahr.", rules).category == "other"
    both = decide("Die Laufzeit beträgt ein Jahr, die Kündigungsfrist drei Monate.", rules)
    assert both.category == "contract" and both.matched[0].found == "laufzeit + kundigungsfrist"
    assert decide("Liebe Anna", rules).category == "letter"


def test_regex_mode_reports_its_page() -> None:
    rules = rules_for(invoice={"keywords": {"any": [{"term": r"\bRE-\d{4}-\d+", "mode": "regex", "weight": 3}]}})
    result = categorize(["Seite eins", "Nr. RE-2022-0815"], extract(["x"]), rules)
    assert result.category == "invoice" and result.matched[0].page == 2 and result.matched[0].found == "RE-2022-0815"


def test_catastrophic_regex_is_abandoned_within_bounded_time() -> None:
    rules = parse_categories({
        "min_score": 1,
        "regex_timeout": 0.2,
        "slow": {"keywords": {"any": [{"term": "(a|aa)+$", "mode": "regex", "weight": 5}]}},
        "invoice": {"keywords": {"en": [{"term": "invoice", "weight": 2}]}},
    })
    started = time.monotonic()
    result = categorize(["invoice " + "a" * 60 + "b"], extract(["x"]), rules)
    assert time.monotonic() - started < 3
    assert result.category == "invoice"  # the other rules still ran
    assert [(a.category, a.key) for a in result.abandoned] == [("slow", "categories.slow.keywords.any[0]")]
    assert "abandoned" in result.to_dict()["abandoned"][0]["reason"]


def test_folder_hint_is_strong_and_recorded(default_rules: CategoryRules) -> None:
    text = "Betrag 10,00 €"
    assert decide(text, default_rules).category == "other"
    hinted = decide(text, default_rules, folder="Rechnungen")
    assert hinted.category == "invoice"
    assert hinted.to_dict()["folder_hint"] == {"folder": "Rechnungen", "category": "invoice", "weight": 6.0}
    assert decide(text, default_rules, folder="Bank_Statements").category == "bank_statement"


def test_folder_that_names_no_category_is_recorded_without_effect(default_rules: CategoryRules) -> None:
    result = decide("Betrag 10,00 €", default_rules, folder="Kindergarten")
    assert result.category == "other"
    assert result.folder_hint is not None and result.folder_hint.category is None


def test_below_min_score_is_other_with_the_closest_category_as_runner_up() -> None:
    rules = rules_for(invoice={"keywords": {"en": [{"term": "invoice", "weight": 1}]}})
    result = decide("invoice", rules)
    assert (result.category, result.runner_up, result.score) == ("other", "invoice", 1.0)


def test_keywords_of_another_language_count_less() -> None:
    rules = rules_for(invoice={"keywords": {"fr": [{"term": "facture", "weight": 4}]}})
    french = decide("Voici la facture de votre commande pour le mois.", rules)
    german = decide("Anbei die Facture für Ihre Bestellung und den Betrag.", rules)
    assert (french.score, german.score) == (4.0, 2.0)


def test_one_word_counts_once_per_category(default_rules: CategoryRules) -> None:
    result = decide("Factura", default_rules)
    assert [m.found for m in result.matched].count("factura") == 1


def test_result_is_json_with_runner_up_and_terms(default_rules: CategoryRules) -> None:
    data = json.loads(json.dumps(decide("Kontoauszug\nNeuer Saldo 10,00 EUR\nAlter Saldo 5,00 EUR", default_rules).to_dict()))
    assert data["category"] == "bank_statement"
    assert set(data["runner_up"]) == {"category", "score"}
    assert {"key", "mode", "term", "found", "page", "weight"} <= set(data["matched"][0])


def test_no_rules_means_other() -> None:
    assert decide("Rechnung", parse_categories(None)).to_dict()["category"] == "other"


def test_labeled_set_category_accuracy(
    labeled: list[tuple[LabeledDoc, list[str]]], default_rules: CategoryRules
) -> None:
    accuracy = score([d for d, _ in labeled], [p for _, p in labeled], default_rules)
    assert accuracy.total >= 40
    assert accuracy.rate("category") >= 0.9, "\n".join(accuracy.misses)
    categories = {d.expected["category"] for d, _ in labeled}
    languages = {d.expected["language"] for d, _ in labeled}
    assert len(categories) == 9 and languages == {"en", "de", "fr", "es", "it"}
