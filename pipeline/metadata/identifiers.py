"""Identifiers in page text: IBAN, BIC, VAT ids, references, e-mail, phone, URL.

IBANs are reported only when their mod-97 checksum holds: a wrong IBAN in the
DocVault is worse than none. OCR splits the groups (extra, missing or doubled spaces,
a stray "." or ":") and confuses O/0, I/l/1, S/5, B/8, Z/2: where the country's format
says a digit (or a letter) stands, the look-alike is mapped back, and the repaired
IBAN is reported only if the checksum then holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import regex
from stdnum import get_cc_module

from pipeline.metadata.words import fold_aligned

IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
    "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
}
# Where the account part (after country and check digits) has letters ("a") or
# either ("c"); every other position is a digit. Countries not listed are all digits.
BBAN_LETTERS = {"GB": "aaaa", "IE": "aaaa", "NL": "aaaa", "IT": "a" + "n" * 10 + "c" * 12, "SM": "a" + "n" * 10 + "c" * 12,
                "FR": "nnnnnnnnnnccccccccccc",
                "MC": "nnnnnnnnnnccccccccccc", "CH": "nnnnnccccccccccccc", "LI": "nnnnnccccccccccccc",
                "CY": "nnnnnnnncccccccccccccccc", "MT": "aaaannnnnccccccccccccccccccc", "BG": "aaaannnnnncccccccc",
                "RO": "aaaa" + "c" * 16, "LV": "aaaa" + "c" * 13}
# The country in capitals and a digit among the check digits: "su IBAN IT38" must not
# start at "su IB".
IBAN = re.compile(r"\b(?P<cc>[A-Z]{2})[ :.'’]{0,2}(?P<check>\d[\dOIlS]|[OIlS]\d)(?P<rest>(?:[ :.'’-]{0,2}[A-Za-z0-9]){11,30})")
IBAN_NOISE = " :.'’-"  # spaces and what scan speckles OCR into between the groups
TO_DIGIT = str.maketrans("OQDIL|SZB", "000111528")
TO_LETTER = str.maketrans("01582", "OISBZ")
BIC = re.compile(r"\b(?:BIC|SWIFT|Swift|BIC/SWIFT|SWIFT/BIC)(?:[- ]?Code)?\s{0,8}[:.]?\s{0,8}"
                 r"(?P<bic>[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
VAT_ID = re.compile(
    r"\b(?P<vat>DE ?\d{3} ?\d{3} ?\d{3}|ATU ?\d{8}|FR ?[0-9A-Z]{2} ?\d{3} ?\d{3} ?\d{3}|ES ?[0-9A-Z]\d{7}[0-9A-Z]"
    r"|IT ?\d{11}|GB ?\d{3} ?\d{4} ?\d{2}(?: ?\d{3})?|NL ?\d{9}B\d{2}|BE ?0\d{9}|LU ?\d{8}"
    r"|CHE[- ]?\d{3}\.\d{3}\.\d{3}(?: ?(?:MWST|TVA|IVA))?)\b"
)
VAT_LABELLED = re.compile(r"(?:P\.? ?IVA|Partita IVA|NIF|CIF|USt-?Id(?:Nr)?\.?)\s{0,8}[:.]?\s{0,8}(?P<vat>[A-Z]{0,2}\d{8,11}[A-Z]?)\b",
                          re.IGNORECASE)
# Every repetition is bounded and an address starts only where a run of address
# characters starts: unbounded, a page of "a.a.a." (40 kB) made each position scan to
# the page's end for an "@" (quadratic, 7-10 s). RFC 5321: local part <= 64, labels <= 63.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@(?P<domain>[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-zA-Z]{2,24})\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')]{0,255}[^\s<>\"').,;:]", re.IGNORECASE)
_PHONE_LABEL = (r"(?:Tel(?:efon|éfono|efono|ephone)?|Phone|Fon|Fax|Mobil(?:e)?|Mob|Handy|Cell|Tél(?:éphone)?"
                r"|Telf|Tlf|Móvil|Cellulare|Cell)")
PHONE_LABELLED = re.compile(_PHONE_LABEL + r"\.?\s{0,8}(?:\([^)]{0,12}\))?\s{0,8}[:.]?\s{0,8}(?P<phone>[+(]?\d[\d ()./-]{5,30}\d)",
                            re.IGNORECASE)
PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])(?P<phone>\+\d{1,3}[ ]?(?:\(0\)[ ]?)?\d[\d ()./-]{5,30}\d)")

# Reference labels (folded, as a regex) and the kind of number they introduce.
REFERENCE_LABELS: tuple[tuple[str, str], ...] = (
    ("invoice_number", r"invoice (?:no|number|nr|#)|inv(?:oice)? #|rechnungs ?(?:nummer|nr)|rechnung (?:nr|nummer)"
                       r"|numero de facture|n(?:o|°|º)? de facture|facture n(?:o|°|º)?|numero de factura"
                       r"|factura n(?:o|°|º|\.o)?|n(?:o|°|º)? de factura|numero fattura|fattura n(?:o|°|\.)?"
                       r"|n(?:o|°|\.)? fattura"),
    ("customer_number", r"customer (?:no|number|id|#)|account no|kunden ?(?:nummer|nr)|n(?:o|°|º)? client"
                        r"|numero client|numero de cliente|n(?:o|°|º)? de cliente|codice cliente|cliente n"),
    ("order_number", r"order (?:no|number|#)|bestell ?(?:nummer|nr)|auftrags ?(?:nummer|nr)"
                     r"|n(?:o|°|º)? de commande|numero de pedido|numero ordine"),
    ("policy_number", r"policy (?:no|number)|versicherungs ?(?:schein ?)?(?:nummer|nr)|vertrags ?(?:nummer|nr)"
                      r"|contract (?:no|number)|n(?:o|°|º)? de contrat|numero de contrat|numero de poliza"
                      r"|poliza n|numero polizza|polizza n"),
    ("tax_number", r"steuer ?(?:nummer|nr)|steuer-id|identifikationsnummer|tax (?:id|number|reference)|utr"
                   r"|numero fiscal|codice fiscale"),
    ("employee_number", r"personal ?(?:nummer|nr)|employee (?:no|number|id)|matricule|matricola"
                        r"|n(?:o|°|º)? de afiliacion"),
    ("patient_number", r"patient(?:en)? ?(?:nummer|nr|id|no)|n(?:o|°|º)? patient"),
    ("reference", r"your ref(?:erence)?|our ref(?:erence)?|reference|ref|aktenzeichen|az|ihr zeichen|unser zeichen"
                  r"|referenz|reference|n(?:o|°|º)? de reference|referencia|riferimento|rif"),
)
_LABELS = "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in REFERENCE_LABELS)
# regex, not re: it runs this 60-branch alternation in about half the time.
REFERENCE = regex.compile(r"(?<![\w])(?:" + _LABELS + r")\.?\s{0,8}[:.#]?\s{0,8}(?P<value>[A-Z0-9][A-Z0-9./_-]{2,30}[A-Z0-9])\b",
                          regex.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Identifier:
    value: str
    page: int  # 1-based
    start: int  # offset in the page text
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "page": self.page}


@dataclass(frozen=True, slots=True)
class Reference:
    kind: str  # invoice_number, customer_number, order_number, policy_number, tax_number, ...
    label: str  # as written: "Rechnungsnummer", "Facture n°"
    value: str
    page: int

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "label": self.label, "value": self.value, "page": self.page}


def is_valid_iban(iban: str) -> bool:
    """ISO 13616 mod-97 check, with the country's length."""
    iban = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def find_ibans(pages: Sequence[str]) -> list[Identifier]:
    found: list[Identifier] = []
    for index, page in enumerate(pages):
        for match in IBAN.finditer(page):  # not page.upper(): "ß" -> "SS" would shift offsets
            country = match["cc"].upper()
            length = IBAN_LENGTHS.get(country)
            if length is None:
                continue
            compact, end = _take(page, match.start(), length)
            if compact is None:
                continue
            if not is_valid_iban(compact):
                compact = repair_iban(compact)
            if is_valid_iban(compact):
                found.append(Identifier(compact, index + 1, match.start(), end))
    return _unique(found)


def repair_iban(iban: str) -> str:
    """`iban` with OCR's look-alikes put back where the country's format wants a
    digit or a letter; the caller still checks the checksum."""
    layout = BBAN_LETTERS.get(iban[:2], "")
    fixed = [iban[:2], iban[2:4].translate(TO_DIGIT)]
    for position, ch in enumerate(iban[4:]):
        kind = layout[position] if position < len(layout) else "n"
        fixed.append(ch.translate(TO_LETTER) if kind == "a" else ch.translate(TO_DIGIT) if kind == "n" else ch)
    return "".join(fixed)


def find_bics(pages: Sequence[str]) -> list[Identifier]:
    return _unique([Identifier(m["bic"], i + 1, m.start("bic"), m.end("bic"))
                    for i, page in enumerate(pages) for m in BIC.finditer(page)])


def find_vat_ids(pages: Sequence[str]) -> list[Identifier]:
    """VAT ids whose country's check digits hold (python-stdnum): "DE136695977" has the
    shape of a German one and a wrong check digit, so it is not reported."""
    found = []
    for index, page in enumerate(pages):
        for pattern in (VAT_ID, VAT_LABELLED):
            for m in pattern.finditer(page):
                value = m["vat"].replace(" ", "")
                if is_valid_vat_id(value, _label_country(m.group(0))):
                    found.append(Identifier(value, index + 1, m.start("vat"), m.end("vat")))
    return _unique(found)


def is_valid_vat_id(value: str, country: str | None = None) -> bool:
    """The checksum of a VAT id, by its prefix or, when it has none, by `country`."""
    prefix = "ch" if value.upper().startswith("CHE") else value[:2].lower()
    module = get_cc_module(prefix, "vat") if value[:2].isalpha() else None
    if module is None and country is not None:
        module = get_cc_module(country, "vat")
    if module is None:
        return False
    try:
        return bool(module.is_valid(value))
    except Exception:  # noqa: BLE001 - a malformed number is simply not a VAT id
        return False


def _label_country(text: str) -> str | None:
    """The country a label implies for a number written without its prefix."""
    folded = text.casefold()
    if "iva" in folded:
        return "it"
    if "nif" in folded or "cif" in folded:
        return "es"
    return "de" if "ust" in folded else None


def find_emails(pages: Sequence[str]) -> list[Identifier]:
    return _unique([Identifier(m.group(0).lower(), i + 1, m.start(), m.end())
                    for i, page in enumerate(pages) for m in EMAIL.finditer(page)])


def find_urls(pages: Sequence[str]) -> list[Identifier]:
    return _unique([Identifier(m.group(0), i + 1, m.start(), m.end())
                    for i, page in enumerate(pages) for m in URL.finditer(page)
                    if "@" not in m.group(0)])


def find_phones(pages: Sequence[str]) -> list[Identifier]:
    """Labelled numbers ("Tel.", "Fax", "Tél.") and international ones ("+49 30 ...")."""
    found = []
    for index, page in enumerate(pages):
        for pattern in (PHONE_LABELLED, PHONE_INTERNATIONAL):
            for m in pattern.finditer(page):
                value = re.sub(r"[ \t]+", " ", m["phone"].strip())
                if 7 <= sum(ch.isdigit() for ch in value) <= 16:
                    found.append(Identifier(value, index + 1, m.start("phone"), m.end("phone")))
    return _unique(found)


def find_references(pages: Sequence[str]) -> list[Reference]:
    """Numbers after a label: "Rechnungsnummer: RE-2022-0042", "Facture n° F2024-001"."""
    found: list[Reference] = []
    seen: set[tuple[str, str]] = set()
    for index, page in enumerate(pages):
        for match in REFERENCE.finditer(fold_aligned(page)):
            value = page[match.start("value"):match.end("value")]
            if not any(ch.isdigit() for ch in value):
                continue
            kind = next(k for k, _ in REFERENCE_LABELS if match.group(k) is not None)
            label = page[match.start(kind):match.end(kind)]
            if (kind, value) not in seen:
                seen.add((kind, value))
                found.append(Reference(kind, label, value, index + 1))
    return found


def _take(page: str, start: int, length: int) -> tuple[str | None, int]:
    """The first `length` letters/digits from `start`, skipping separators (up to two
    in a row: OCR doubles spaces and adds speckle dots); a line break ends it."""
    chars: list[str] = []
    pos = start
    gap = 0
    while pos < len(page) and len(chars) < length:
        ch = page[pos].upper()
        if ch.isalnum() and ch.isascii():
            chars.append(ch)
            gap = 0
        elif ch in IBAN_NOISE and gap < 2:
            gap += 1
        else:
            break
        pos += 1
    return ("".join(chars), pos) if len(chars) == length else (None, pos)


def _unique(found: list[Identifier]) -> list[Identifier]:
    seen: set[str] = set()
    out = []
    for item in found:
        if item.value not in seen:
            seen.add(item.value)
            out.append(item)
    return out
