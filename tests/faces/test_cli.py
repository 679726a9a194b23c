"""The `docvault` command line, run as a real process."""

from __future__ import annotations

import json

from tests.conftest import corpus, docvault, text_image


def test_process_prints_phototest_text(make_config):
    make_config()
    result = json.loads(docvault("process", str(corpus("tesseract/phototest.tif"))).stdout)
    gold = corpus("tesseract/phototest.gold.txt").read_text()
    assert result["text"].split() == gold.split()
    assert result["pages"][0]["source"] == "ocr"


def test_process_leaves_the_file_where_it_is(make_config, tmp_path):
    make_config()
    source = tmp_path / "simple.png"
    source.write_bytes(corpus("paperless-ngx/simple.png").read_bytes())
    docvault("process", str(source))
    assert source.exists()


def test_process_files_a_german_invoice(make_config, tmp_path, monkeypatch):
    make_config()
    monkeypatch.setenv("TESSERACT_LANGUAGES", "deu")
    page = tmp_path / "scan.png"
    text_image([
        "ACME Supplies GmbH", "Rechnung", "Rechnungsnummer: RE-2022-0457", "Rechnungsdatum: 14.11.2022",
        "Gesamtbetrag: 1.234,50 EUR", "IBAN: DE89 3704 0044 0532 0130 00",
        "Vielen Dank fur Ihren Auftrag und die Zahlung bis zum 30.11.2022.",
    ]).save(page, dpi=(300, 300))
    result = json.loads(docvault("process", str(page)).stdout)
    assert result["language"] == "de" and result["languages"] == ["deu"]
    assert result["category"]["category"] == "invoice"
    meta = result["metadata"]
    assert meta["document_date"]["date"] == "2022-11-14"
    assert (meta["total"]["amount"], meta["total"]["currency"]) == ("1234.50", "EUR")
    assert meta["ibans"][0]["value"] == "DE89370400440532013000"


def test_unknown_config_key_stops_with_its_name(make_config, tmp_path):
    make_config()
    (tmp_path / "config.yaml").write_text("pipeline:\n  langauges: [eng]\n")
    result = docvault("status", "x", check=False)
    assert result.returncode == 2
    assert "pipeline.langauges" in result.stderr
