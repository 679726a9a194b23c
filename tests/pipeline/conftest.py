"""The labeled set, with its `ocr: true` documents rendered and OCRed once per session."""

import shutil

import pytest

from bench.labeled import HELDOUT_DIR, TESTSET_DIR, LabeledDoc, load_labeled, load_rules, page_texts
from docvault.core.categories import CategoryRules


@pytest.fixture(scope="session")
def labeled(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[LabeledDoc, list[str]]]:
    if shutil.which("tesseract") is None:
        pytest.fail("tesseract is not installed; the labeled set needs it to OCR its scans")
    work = tmp_path_factory.mktemp("scans")
    return [(doc, page_texts(doc, work)) for doc in load_labeled()]


@pytest.fixture(scope="session")
def default_rules() -> CategoryRules:
    return load_rules()


@pytest.fixture(scope="session")
def heldout() -> list[tuple[LabeledDoc, list[str]]]:
    """The first frozen set: its scans are stored as their OCR text, nothing to OCR."""
    return [(doc, page_texts(doc, None)) for doc in load_labeled(HELDOUT_DIR)]


@pytest.fixture(scope="session")
def testset() -> list[tuple[LabeledDoc, list[str]]]:
    """The test set written without reading the rules (bench/testset.py); scans stored as
    their OCR text."""
    return [(doc, page_texts(doc, None)) for doc in load_labeled(TESTSET_DIR)]
