"""pipeline.ocr_language: page one's language decides what the document is read with."""

import subprocess

from pipeline.ocr_language import choose
from tests.conftest import corpus
from tests.pipeline.reading import Read, one_thread_per_tesseract, read  # noqa: F401 - fixtures

INSTALLED = frozenset({"eng", "deu", "fra", "spa", "ita", "osd"})
FRENCH = "Portez ce vieux whisky au juge blond qui fume. L'alcôve où les bûches brûlent est pleine de livres."


def test_detected_language_not_configured_is_used_instead() -> None:
    choice = choose(FRENCH, ("eng",), INSTALLED)
    assert (choice.used, choice.detected, choice.reread_first_page) == (("fra",), "fra", True)
    assert "not among the configured eng" in choice.reason


def test_configured_language_is_kept_when_the_text_is_in_it() -> None:
    choice = choose(FRENCH, ("eng", "fra"), INSTALLED)
    assert (choice.used, choice.reread_first_page) == (("eng", "fra"), False)


def test_language_that_is_not_installed_is_not_asked_for() -> None:
    choice = choose(FRENCH, ("eng",), frozenset({"eng", "deu"}))
    assert choice.used == ("eng",) and not choice.reread_first_page


def test_too_little_text_keeps_the_configured_languages() -> None:
    choice = choose("Seite 1", ("eng",), INSTALLED)
    assert (choice.used, choice.detected) == (("eng",), None)


def test_french_scan_configured_as_english_is_read_again_in_french(read: Read) -> None:
    """The issue's example: francais.pdf read with eng came out "alcOve, ot les bUches"."""
    doc = read("ocrmypdf/francais.pdf", languages=("eng",))
    assert doc.languages == ("fra",)
    data = doc.to_dict()
    assert data["languages"] == ["fra"]
    assert data["ocr_languages"]["configured"] == ["eng"] and data["ocr_languages"]["reread_first_page"]
    text = doc.texts[0].text
    assert "alcôve" in text and "bûches" in text


def test_pages_begun_with_the_configured_language_are_read_again(read: Read, tmp_path) -> None:  # noqa: ANN001
    """Page two starts with eng beside page one; once page one is found French, page two's
    eng reading is dropped and every page of the document is read with fra."""
    two_pages = tmp_path / "francais-twice.pdf"
    french = corpus("ocrmypdf/francais.pdf")
    subprocess.run(["pdfunite", str(french), str(french), str(two_pages)], check=True)
    doc = read(two_pages, languages=("eng",), page_workers=2)
    assert doc.languages == ("fra",) and len(doc.texts) == 2
    assert all("alcôve" in t.text and "bûches" in t.text for t in doc.texts)
    assert [r["number"] for r in doc.page_records] == [1, 2]
