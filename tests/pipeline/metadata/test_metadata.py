"""pipeline.metadata.extract: each extractor's edge cases, then accuracy on the labeled set."""

import datetime
import json
import re
import time
from decimal import Decimal

import pytest

from bench.labeled import TESTSET_FLOORS as FLOORS, LabeledDoc, is_scanned, score
from docvault.core.categories import CategoryRules
from pipeline.metadata import correspondent, extract, identifiers
from pipeline.metadata.amounts import find_amounts, parse_number
from pipeline.metadata.identifiers import is_valid_iban

US = "Thank you for your order. Please pay the amount by the due date. Total $12.00\n"
DE = "Bitte überweisen Sie den Betrag mit der Rechnungsnummer auf das Konto.\n"


def document_date(text: str) -> str | None:
    found = extract([text]).document_date
    return found.date.isoformat() if found else None


# --- dates -------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "iso"), [
    ("14.11.2022", "2022-11-14"),
    ("14/11/2022", "2022-11-14"),
    ("2022-11-14", "2022-11-14"),
    ("14 Nov 2022", "2022-11-14"),
    ("14-Nov-2022", "2022-11-14"),
    ("November 14, 2022", "2022-11-14"),
    ("November 14th, 2022", "2022-11-14"),
    ("14. März 2023", "2023-03-14"),
    ("14. Marz 2023", "2023-03-14"),
    ("3 janvier 2024", "2024-01-03"),
    ("1er février 2024", "2024-02-01"),
    ("5 de mayo de 2021", "2021-05-05"),
    ("20 settembre 2023", "2023-09-20"),
    ("1° gennaio 2024", "2024-01-01"),
    ("14.11.22", "2022-11-14"),
    ("january.15, 2024", "2024-01-15"),  # scan speckle read as a dot
    ("8:de febrero de 2024", "2024-02-08"),
    ("3 janviér.2024", "2024-01-03"),  # a misread accent and a speckle
    ("31 August:2023", "2023-08-31"),
])
def test_date_formats(written: str, iso: str) -> None:
    assert document_date(f"Date: {written}\n") == iso


def test_ambiguous_date_is_month_first_in_us_english() -> None:
    assert document_date(US + "Date: 01/02/2023") == "2023-01-02"


def test_ambiguous_date_is_day_first_in_german() -> None:
    meta = extract([DE + "Datum: 01/02/2023"])
    assert meta.language == "de"
    assert meta.document_date is not None and meta.document_date.date == datetime.date(2023, 2, 1)


def test_ambiguous_date_is_day_first_in_british_english() -> None:
    assert document_date("Thank you for your payment of £12.00 to the account.\nDate: 01/02/2023") == "2023-02-01"


def test_thirteen_can_only_be_a_day() -> None:
    assert document_date(US + "Date: 13/02/2023") == "2023-02-13"


def test_an_impossible_date_settles_the_order_for_the_whole_document() -> None:
    meta = extract([US + "Date: 01/02/2023\nDelivered: 13/02/2023"])
    assert [d.date.isoformat() for d in meta.dates] == ["2023-02-01", "2023-02-13"]


def test_date_inside_a_phone_number_is_not_taken() -> None:
    meta = extract(["Tél. : 04.12.20.23.45\nTel. 030 12.11.2022\nRechnungsdatum: 14.11.2022"])
    assert [d.date.isoformat() for d in meta.dates] == ["2022-11-14"]
    assert {p.value for p in meta.phones} == {"04.12.20.23.45", "030 12.11.2022"}


def test_impossible_dates_are_not_dates() -> None:
    assert extract(["Datum: 31.02.2023 und 45/13/2023"]).dates == ()


def test_issue_date_beats_due_date_and_period() -> None:
    text = "Zeitraum 01.10.2023 bis 31.10.2023\nZahlbar bis 28.11.2022\nRechnungsdatum: 14.11.2022"
    found = extract([text]).document_date
    assert found is not None and (found.date.isoformat(), found.label) == ("2022-11-14", "rechnungsdatum")


def test_place_and_date_line_beats_a_date_in_prose() -> None:
    text = "Paris, le 3 janvier 2024\n\nNous vous attendons le 22 janvier 2024 à la mairie."
    assert document_date(text) == "2024-01-03"


# --- amounts -----------------------------------------------------------------------

@pytest.mark.parametrize(("written", "value"), [
    ("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("1'234.50", "1234.50"), ("1 234,50", "1234.50"),
    ("1,234,567.89", "1234567.89"), ("1.234.567,89", "1234567.89"), ("1234,5", "1234.5"), ("1.234", "1234"),
])
def test_parse_number_reads_both_conventions(written: str, value: str) -> None:
    assert str(parse_number(written)) == value


@pytest.mark.parametrize(("line", "amount", "currency"), [
    ("Gesamtbetrag 1.234,50 €", "1234.50", "EUR"),
    ("Total due $1,234.50", "1234.50", "USD"),
    ("Total £1,234.50", "1234.50", "GBP"),
    ("Total CHF 1'234.50", "1234.50", "CHF"),
    ("Total TTC 1 234,50 €", "1234.50", "EUR"),
    ("Importe total: EUR 12.345,00", "12345.00", "EUR"),
    ("Net à payer : EUR 3 480,00", "3480.00", "EUR"),  # grouped by spaces, currency first
])
def test_total_with_thousands_separators_and_currency(line: str, amount: str, currency: str) -> None:
    total = extract([line]).total
    assert total is not None and total.to_dict()["amount"] == amount and total.currency == currency


def test_labelled_total_beats_larger_amounts() -> None:
    text = "Total HT 435,00 €\nTVA 20 % 87,00 €\nTotal TTC 522,00 €\nAcompte versé 1.000,00 €"
    total = extract([text]).total
    assert total is not None and (str(total.value), total.label) == ("522.00", "total ttc")


def test_cash_given_and_change_are_not_the_total() -> None:
    text = "SUMME EUR 11,80\nGegeben bar 20,00\nRückgeld 8,20"
    total = extract([text]).total
    assert total is not None and (str(total.value), total.currency) == ("11.80", "EUR")


def test_semicolon_read_for_a_decimal_comma() -> None:
    total = extract(["TOTAL (IVA incl.) 46;00 €"]).total
    assert total is not None and str(total.value) == "46.00"


def test_label_and_value_on_separate_lines() -> None:
    total = extract(["Gesamtbetrag\n779,15 €"]).total
    assert total is not None and str(total.value) == "779.15"


def test_unlabelled_document_falls_back_to_largest_money_amount() -> None:
    total = extract(["Die monatliche Miete beträgt 980,00 EUR, die Kaution 2.940,00 EUR."]).total
    assert total is not None and str(total.value) == "2940.00"


def test_no_total_without_money() -> None:
    meta = extract(["Sehr geehrte Frau Lang, die Lesung beginnt um 19:30 Uhr in Raum 12."])
    assert meta.total is None and meta.amounts == ()


def test_a_scanned_paragraph_sign_read_as_a_dollar_is_no_amount() -> None:
    """OCR reads a contract's "§ 2" as "$ 2"; a real "$ 2" is not at the start of a line."""
    assert find_amounts(["$ 2 Die Kündigungsfrist beträgt drei Monate.\n$.3 Schriftform."], language="de") == []
    assert [(str(a.value), a.currency) for a in find_amounts(["Parking fee $ 2"])] == [("2", "USD")]


def test_percentages_and_years_are_not_amounts() -> None:
    assert extract(["MwSt 19,00 % im Jahr 2023, PLZ 10115"]).amounts == ()


# --- identifiers -------------------------------------------------------------------

def test_valid_iban_is_reported_compact() -> None:
    meta = extract(["IBAN: DE44 5001 0517 5407 3249 31   BIC: INGDDEFFXXX"])
    assert [i.value for i in meta.ibans] == ["DE44500105175407324931"]
    assert [b.value for b in meta.bics] == ["INGDDEFFXXX"]


def test_iban_groups_split_by_scan_noise() -> None:
    meta = extract(["IBAN: ES91:2100 0418-4502 0005.1332"])
    assert [i.value for i in meta.ibans] == ["ES9121000418450200051332"]


def test_invalid_iban_is_rejected() -> None:
    assert not is_valid_iban("DE44500105175407324932")
    assert extract(["IBAN: DE44 5001 0517 5407 3249 32"]).ibans == ()


def test_iban_with_ocr_letter_for_digit_is_repaired_only_if_checksum_then_holds() -> None:
    assert [i.value for i in extract(["IBAN DE44 5OO1 0517 54O7 3249 31"]).ibans] == ["DE44500105175407324931"]
    assert extract(["IBAN DE44 5OO1 0517 54O7 3249 39"]).ibans == ()


def test_references_keep_their_labels() -> None:
    text = "Rechnungsnummer: RE-2022-0815\nKundennummer: 10427\nFacture n° F2024-0117\nPolicy number: AUTO-5520"
    refs = [(r.kind, r.label, r.value) for r in extract([text]).references]
    assert refs == [
        ("invoice_number", "Rechnungsnummer", "RE-2022-0815"),
        ("customer_number", "Kundennummer", "10427"),
        ("invoice_number", "Facture n°", "F2024-0117"),
        ("policy_number", "Policy number", "AUTO-5520"),
    ]


def test_vat_ids_emails_urls_phones() -> None:
    meta = extract(["USt-IdNr.: DE 123 456 788 · P.IVA 00743110157\n"
                    "info@acme.de · https://www.acme.de/kontakt · Tel. +49 (0)30 1234 5678"])
    assert [v.value for v in meta.vat_ids] == ["DE123456788", "00743110157"]
    assert [e.value for e in meta.emails] == ["info@acme.de"]
    assert [u.value for u in meta.urls] == ["https://www.acme.de/kontakt"]
    assert [p.value for p in meta.phones] == ["+49 (0)30 1234 5678"]


@pytest.mark.parametrize(("text", "valid"), [("USt-IdNr. DE136695976", True), ("USt-IdNr. DE136695977", False),
                                             ("VAT Reg No. GB 980 7806 84", True), ("P.IVA 01234567890", False)])
def test_vat_id_is_reported_only_when_its_check_digits_hold(text: str, valid: bool) -> None:
    assert bool(extract([text]).vat_ids) is valid


# --- language and correspondent ----------------------------------------------------

@pytest.mark.parametrize(("text", "language"), [
    ("Thank you for your order. Please find the invoice attached.", "en"),
    ("Vielen Dank für Ihre Bestellung. Die Rechnung ist im Anhang.", "de"),
    ("Merci pour votre commande. Vous trouverez la facture dans le courrier.", "fr"),
    ("Gracias por su pedido. Le enviamos la factura con los datos.", "es"),
    ("Grazie per il suo ordine. Le inviamo la fattura con i dati della consegna.", "it"),
    ("12345 67890", None),
])
def test_language_is_detected_from_the_text(text: str, language: str | None) -> None:
    assert extract([text], language_hint="de").language == language


def test_correspondent_from_letterhead() -> None:
    found = extract(["Müller Bürotechnik GmbH · Lindenstraße 12 · München\n\nRechnung"]).correspondent
    assert found is not None and (found.name, found.evidence) == ("Müller Bürotechnik GmbH", "letterhead")


def test_correspondent_from_a_from_line() -> None:
    found = extract(["Subject: your order\nFrom: Jane Doe <jane@shop.example>\nHello"]).correspondent
    assert found is not None and (found.name, found.evidence) == ("Jane Doe", "from")


def test_correspondent_from_email_domain_skips_free_mail() -> None:
    found = extract(["Questions? Write to me@gmail.com or billing@brightline.io"]).correspondent
    assert found is not None and (found.name, found.evidence) == ("brightline.io", "email_domain")


# --- the record --------------------------------------------------------------------

def test_every_fact_carries_its_page_and_the_record_is_json() -> None:
    meta = extract(["Seite 1 ohne Angaben", "Datum: 14.11.2022\nGesamtbetrag 10,00 €\nIBAN DE44500105175407324931"])
    data = json.loads(json.dumps(meta.to_dict()))
    assert data["document_date"] == {"date": "2022-11-14", "page": 2, "text": "14.11.2022", "label": "datum"}
    assert data["total"]["page"] == 2 and data["total"]["amount"] == "10.00"
    assert data["ibans"] == [{"value": "DE44500105175407324931", "page": 2}]


def test_empty_document_gives_empty_metadata() -> None:
    data = extract([]).to_dict()
    assert data["document_date"] is None and data["total"] is None and data["language"] is None


# --- the labeled set ---------------------------------------------------------------

def test_ocr_made_mistakes_the_extractors_had_to_survive(labeled: list[tuple[LabeledDoc, list[str]]]) -> None:
    scanned = [(doc, pages) for doc, pages in labeled if doc.wants_ocr]
    assert len(scanned) >= 8
    changed = [doc.name for doc, pages in scanned if set(doc.text.split()) != set(pages[0].split())]
    assert len(changed) >= len(scanned) // 2, changed


def test_due_birth_and_start_dates_are_reported_as_such() -> None:
    meta = extract(["Geburtsdatum: 22.09.1978\nVersicherungsbeginn: 01.05.2024\nFällig am: 30.04.2024\n"
                    "Ausstellungsdatum: 12.04.2024"])
    kinds = {d["date"]: d.get("kind") for d in meta.to_dict()["dates"]}
    assert kinds == {"1978-09-22": "birth", "2024-05-01": "start", "2024-04-30": "due", "2024-04-12": None}
    assert meta.document_date is not None and meta.document_date.date == datetime.date(2024, 4, 12)


def test_spanish_place_date_with_a_and_ocr_hyphens() -> None:
    meta = extract(["nacido el 17 de julio de 1969\nEn Sevilla, a 9 de-marzo de-2024\nEfecto: 1 de abril de 2024"])
    assert meta.document_date is not None and meta.document_date.date == datetime.date(2024, 3, 9)


def test_overdrawn_balance_is_negative() -> None:
    meta = extract(["Kontostand am 29.02.2024   186,20 EUR\n18.03. Miete -2.150,00\n"
                    "Kontostand am 31.03.2024   -312,40 EUR"])
    assert meta.total is not None and meta.total.value == Decimal("-312.40")


def test_sum_insured_is_never_the_total() -> None:
    meta = extract(["Capital garanti mobilier   60 000,00 €\nFranchise 150,00 €\nPrime annuelle TTC   238,70 €"])
    assert meta.total is not None and meta.total.value == Decimal("238.70")
    alone = extract(["Versicherungssumme 100.000,00 EUR\nBeitrag monatlich 12,50 EUR"])
    assert alone.total is not None and alone.total.value == Decimal("12.50")


@pytest.mark.parametrize("printed", ["ES91 2100 O418 45O2 OOO5 1332", "ES'91  2100 0418 4502 0005 1332",
                                     "ES91 21OO 04l8 45O2 OOO5 I332"])
def test_ocr_broken_iban_is_repaired_when_the_checksum_then_holds(printed: str) -> None:
    assert [i.value for i in extract([f"IBAN {printed}"]).ibans] == ["ES9121000418450200051332"]


def test_repair_never_reports_an_invalid_iban() -> None:
    assert extract(["IBAN ES91 2100 O418 45O2 OOO5 1333"]).ibans == ()


def test_letter_position_of_a_gb_iban_is_repaired_to_letters() -> None:
    assert [i.value for i in extract(["IBAN GB82 1KIN 1162 1419 5244 97"]).ibans] == ["GB82IKIN11621419524497"]


def test_correspondent_drops_the_words_that_lead_into_the_name() -> None:
    meta = extract(["Reinigungsvertrag\n\nzwischen der Firma Glanzwerk Gebäudereinigung GmbH, Hafenstraße 2"])
    assert meta.correspondent is not None and meta.correspondent.name == "Glanzwerk Gebäudereinigung GmbH"


def test_domain_confirms_the_letterhead_name_instead_of_replacing_it() -> None:
    meta = extract(["Cooperativa Sociale Il Girasole\nVia dei Tigli 8\nsegreteria@girasolecoop.it"])
    assert meta.correspondent is not None
    assert (meta.correspondent.name, meta.correspondent.evidence) == ("Cooperativa Sociale Il Girasole",
                                                                      "letterhead+domain")


def test_total_is_checked_against_net_and_tax_and_against_line_items() -> None:
    invoice = extract(["Nettobetrag 476,00 €\nMwSt 7 % 33,32 €\nRechnungsbetrag 509,32 €"])
    assert invoice.total is not None and invoice.total.to_dict()["check"] == "net + tax"
    receipt = extract(["Bread £2.10\nMilk £1.20\nEggs £3.00\nTOTAL £6.30"])
    assert receipt.total is not None and receipt.total.to_dict()["check"] == "line items"


def test_of_equally_labelled_amounts_the_one_the_items_add_up_to_is_the_total() -> None:
    meta = extract(["Coffee £3.20\nCake £4.10\nTotal £7.30\n\nTotal loyalty credit £70.00"])
    assert meta.total is not None and meta.total.value == Decimal("7.30")


def test_ocr_confusion_in_the_name_is_normalised_by_its_other_occurrences() -> None:
    meta = extract(["Bäckerei GroBmann GmbH\nLindenplatz 4\n\nRechnung\n\nBäckerei Großmann GmbH · Lindenplatz 4"])
    assert meta.correspondent is not None and meta.correspondent.name == "Bäckerei Großmann GmbH"
    plc = extract(["Westbrook Lettings ple\n14 Harbour Road\n\nDear Mr Price,\n\nKind regards\nWestbrook Lettings plc"])
    assert plc.correspondent is not None and plc.correspondent.name == "Westbrook Lettings plc"


# --- the frozen test set (never tuned on) ----------------------------------------

def test_test_set_metadata_accuracy(heldout: list[tuple[LabeledDoc, list[str]]], default_rules: CategoryRules) -> None:
    """Floors a little below what the rules reach on tests/fixtures/heldout/ (see
    bench.metadata_bench); the development set's figures are not the measure."""
    accuracy = score([d for d, _ in heldout], [p for _, p in heldout], default_rules)
    assert accuracy.documents >= 100
    report = "\n".join(accuracy.misses)
    assert accuracy.rate("document_date") >= 0.96, report
    assert accuracy.rate("total") >= 0.97, report
    assert accuracy.rate("iban") >= 0.97, report
    assert accuracy.rate("correspondent") >= 0.89, report
    assert accuracy.invalid_ibans == 0 and accuracy.wrong_ibans == 0


def test_independent_test_set_metadata_accuracy(testset: list[tuple[LabeledDoc, list[str]]],
                                                default_rules: CategoryRules) -> None:
    """Floors a little below what the rules reach on tests/fixtures/testset/, the set
    written without reading them (bench.metadata_bench prints the figures; issue 14's goals
    are date and total >= 0.95, IBAN >= 0.98, correspondent >= 0.85)."""
    accuracy = score([d for d, _ in testset], [p for _, p in testset], default_rules)
    assert accuracy.documents >= 100
    assert sum(is_scanned(d) for d, _ in testset) >= 0.4 * accuracy.documents
    report = "\n".join(accuracy.misses)
    assert accuracy.rate("document_date") >= FLOORS["document_date"], report
    assert accuracy.rate("total") >= FLOORS["total"], report
    assert accuracy.rate("iban") >= FLOORS["iban"], report
    assert accuracy.rate("correspondent") >= FLOORS["correspondent"], report
    assert accuracy.invalid_ibans == 0 and accuracy.wrong_ibans == 0


# --- hostile text (issue 12) -------------------------------------------------------

@pytest.mark.parametrize("hostile", ["a." * 20000, "1." * 20000, "a" * 40000 + "@", "www." * 10000])
def test_extraction_of_a_hostile_40_kb_page_finishes(hostile: str) -> None:
    """Unbounded, the e-mail pattern scanned to the page's end from every position:
    7-10 s for one page. The bound is generous: this is about quadratic vs linear."""
    started = time.perf_counter()
    meta = extract([hostile, "Datum: 14.11.2022"])
    assert time.perf_counter() - started < 5
    assert meta.emails == () and meta.document_date is not None


def test_every_repetition_in_the_identifier_patterns_is_bounded() -> None:
    for pattern in (identifiers.EMAIL, identifiers.URL, identifiers.PHONE_LABELLED, identifiers.PHONE_INTERNATIONAL,
                    identifiers.BIC, identifiers.VAT_LABELLED, identifiers.REFERENCE, correspondent.FROM_LINE):
        outside_classes = re.sub(r"\[(?:\\.|[^\]\\])*\]", "C", pattern.pattern)
        unbounded = re.findall(r"(?<!\\)[*+]|\{\d+,\}", outside_classes)
        assert unbounded == [], (pattern.pattern, unbounded)


def test_the_letterhead_name_beats_a_domain_it_does_not_spell() -> None:
    """Issue 14: a site name squashed into one word is no sender when the top line names
    one; nor is the line that holds the domain itself."""
    meta = extract(["Hollybush Lane Community Orchard\nPavilion, Frome\nhello@frome-apples.org.uk\n\nAutumn bulletin"])
    assert meta.correspondent is not None and meta.correspondent.name == "Hollybush Lane Community Orchard"
    assert meta.correspondent.evidence == "first_line"
    alone = extract(["Avis d'échéance\n\nContact : contact@mdp-sante.fr"])
    assert alone.correspondent is not None and alone.correspondent.name == "mdp-sante.fr"  # the top names no one
