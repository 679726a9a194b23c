"""Dates in page text, and which of them the document is about.

Hand-written month tables rather than dateparser: dateparser's search_dates took
~200 ms per page here (x86; several times that on the ARMv7 NAS), which alone would
be over the 5 % of OCR time budget for a 50-page document, and it reads stray numbers
such as "1234" in a phone number as years. Five languages of month names fit on a
screen; the hard part, 01/02/2023, is decided per document below, not per match.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline.metadata.words import fold

MONTHS: dict[str, int] = {}
for _number, _names in enumerate([
    "january jan januar janner jänner janvier janv enero ene gennaio gen",
    "february feb februar feber février fevrier fevr févr fév fev febrero febbraio",
    "march mar märz marz maerz mrz mars marzo",
    "april apr avril avr abril abr aprile",
    "may mai mayo maggio mag",
    "june jun juni juin junio giugno giu",
    "july jul juli juillet juil julio luglio lug",
    "august aug août aout agosto ago",
    "september sep sept septembre septiembre setiembre settembre set",
    "october oct oktober okt octobre octubre ottobre ott",
    "november nov novembre noviembre",
    "december dec dezember dez décembre déc diciembre dic dicembre",
], start=1):
    for _name in _names.split():
        MONTHS[_name] = _number

# Any word, looked up in MONTHS afterwards: an alternation of 80 month names tried at
# every position was the slowest part of extraction.
FOLDED_MONTHS = {fold(name): number for name, number in MONTHS.items()}

_MONTH = r"(?P<month>[^\W\d_]{3,10})\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"
_DAY = r"(?P<day>[0-3]?\d)"
_ORDINAL = r"(?:st|nd|rd|th|er|re|º|°|o|\.)?"
# A number touching another digit, dot or slash is part of something longer (a phone
# number, an IBAN, a version): not a date.
_BEFORE = r"(?<!\w)(?<!\d[./-])"  # a stray "." from scan noise before a date is fine
_AFTER = r"(?![\w]|[./-]\d)"

NUMERIC = re.compile(_BEFORE + r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _AFTER)
ISO = re.compile(_BEFORE + r"(?P<year>(?:19|20)\d\d)(?P<sep>[./-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _AFTER)
DAY_MONTH_YEAR = re.compile(
    r"(?<!\w)(?<!\d[.,])" + _DAY + _ORDINAL + r"[ \t.:'-]{0,3}(?:de[ \t:-]+)?" + _MONTH
    + r"[ \t,.:;'‘’-]*(?:de[ \t:-]+|del[ \t]+)?" + _YEAR,
    re.IGNORECASE,
)
MONTH_DAY_YEAR = re.compile(
    r"(?<![\w])" + _MONTH + r"[ \t.:]+" + _DAY + r"(?:st|nd|rd|th)?[ \t,.:;'‘’]+" + _YEAR, re.IGNORECASE
)

# Labels in the text just before a date (folded). Stronger labels name the date of
# issue; negative ones name a date the document is not "about".
ISSUE_LABELS = (
    "invoice date", "date of invoice", "date of issue", "issue date", "issued on", "statement date",
    "document date", "receipt date", "date issued", "rechnungsdatum", "belegdatum", "ausstellungsdatum",
    "bescheiddatum", "datum der rechnung", "erstellt am", "date de facture", "date de facturation",
    "date d'emission", "date du releve", "fecha de factura", "fecha factura", "fecha de emision",
    "fecha del extracto", "data fattura", "data di emissione", "data emissione", "data documento",
    "data del documento", "date d'etablissement", "etabli le", "edite le", "date d'edition", "notice date",
    "bill date", "abrechnungsdatum", "auszugsdatum", "fait le", "date of this notice", "posted on", "posted",
    "affiche le", "aushang vom", "bekanntmachung vom", "publicado el", "affisso il", "pubblicato il",
)
# Not "le", "am", "on", "il": in running text they introduce any date ("takes place on").
GENERIC_LABELS = ("date", "dated", "datum", "fecha", "data", "vom", "stand")
# The second date of a range "01.10.2023 bis 31.10.2023" is the end of a period.
RANGE_CONNECTORS = ("-", "–", "bis", "to", "au", "al", "a", "hasta", "until", "till", "through")
# Labels of dates the document is not "about", by kind. A label word counts when it
# is a word of the label, or (from five letters on) begins or ends one, so
# "Versicherungsbeginn" is a start and "Geburtsdatum" a birth date.
OTHER_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("due", ("due", "payable", "pay by", "faellig", "fallig", "zahlbar", "zahlungsziel", "echeance", "avant le",
             "vencimiento", "antes del", "scadenza", "entro il", "entro", "date limite", "limite", "plazo",
             "instalment", "bis zum")),
    ("birth", ("birth", "born", "dob", "d o b", "geburt", "geboren", "geb", "ne le", "nee le", "ne e le", "nacimiento",
               "nacido", "nacida", "nato", "nata", "nato a il", "nata il", "naissance", "nascita")),
    ("start", ("start", "starts", "beginn", "begin", "beginnt", "commencement", "ab dem", "ab", "desde", "seit",
               "since", "effet", "efecto", "vigor", "decorrenza", "decorre", "a compter du", "a partir del",
               "comienza", "eintritt", "cover starts", "inizio", "entree", "assunzione", "fecha de alta",
               "hire date", "date joined")),
    ("period", ("from", "von", "du", "dal", "del", "period", "zeitraum", "periode", "periodo", "delivery",
                "lieferdatum", "livraison", "entrega", "consegna", "service", "leistung", "behandlung", "soins",
                "prestazione", "visita", "visit", "term", "laufzeit", "duree", "duracion", "durata")),
    ("end", ("bis", "until", "valid", "gultig", "expiry", "expires", "ablauf", "hasta", "last", "letzte", "dernier",
             "ultimo", "kontostand am")),
)
PLACE_DATE = re.compile(r"^(?:(?:en|in|a|à|fait a|fait à)[ \t]+)?[^\W\d_][\w .'-]{1,30}[,;][ \t]*"
                        r"(?:(?:den|le|el|il|li|am|a|à)[ \t]+)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FoundDate:
    date: datetime.date
    page: int  # 1-based
    text: str  # as written on the page
    start: int  # offset in the page text, for ordering and labels
    label: str | None = None  # the label that made it the document date
    kind: str | None = None  # due, birth, start, period, end: what else a date is, by its label

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"date": self.date.isoformat(), "page": self.page, "text": self.text}
        if self.label is not None:
            out["label"] = self.label
        if self.kind is not None:
            out["kind"] = self.kind
        return out


def find_dates(
    pages: Sequence[str],
    language: str | None,
    excluded: Sequence[Sequence[tuple[int, int]]] = (),
) -> list[FoundDate]:
    """All dates in page order. `excluded[i]` are spans of page i+1 (phone numbers,
    IBANs) in which no date is taken, however date-like "04.12.20" in "04.12.20.23.45" looks."""
    day_first = _is_day_first(pages, language)
    found: list[FoundDate] = []
    for index, page in enumerate(pages):
        spans = excluded[index] if index < len(excluded) else ()
        taken: list[tuple[int, int]] = list(spans)
        for match, date in _matches(page, day_first):
            start, end = match.span()
            if any(start < s_end and s_start < end for s_start, s_end in taken):
                continue
            taken.append((start, end))
            found.append(FoundDate(date, index + 1, match.group(0), start))
    found.sort(key=lambda d: (d.page, d.start))
    return found


def judge(dates: Sequence[FoundDate], pages: Sequence[str]) -> tuple[list[FoundDate], FoundDate | None]:
    """Every date with its kind set (due dates, birth dates, starts, periods and ends are
    reported as such, so that the JSON says why one was not the document date), and
    the date the document is about: the best-labelled one, earliest on ties.

    An issue label ("Rechnungsdatum") beats a place-and-date line ("Paris, le 3 janvier
    2024"), which beats a generic "Datum:", which beats a date alone on its line, which
    beats one in running text; due dates, periods, starts and birth dates come last, so
    a lone due date is still better than none.
    """
    classified: list[FoundDate] = []
    best: tuple[float, int, int] | None = None
    chosen: FoundDate | None = None
    for found in dates:
        score, label, kind = _score(found, pages[found.page - 1])
        classified.append(FoundDate(found.date, found.page, found.text, found.start, None, kind))
        key = (-score, found.page, found.start)
        if best is None or key < best:
            best, chosen = key, FoundDate(found.date, found.page, found.text, found.start, label, kind)
    return classified, chosen


def _score(found: FoundDate, page: str) -> tuple[float, str | None, str | None]:
    line_start = page.rfind("\n", 0, found.start) + 1
    line_end = page.find("\n", found.start)
    before = page[max(line_start, found.start - 40):found.start]
    pieces = re.split(r"\d", before)
    before = pieces[-1]  # the label belongs to this date, not the previous one
    if len(pieces) > 1 and fold(before).strip() in RANGE_CONNECTORS:
        return -2, None, "period"
    after = page[found.start + len(found.text):line_end if line_end >= 0 else len(page)]
    # Scan noise puts stray ":" and "." between words: compare letters only.
    label = " ".join(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", fold(before)))
    on_page_one = 0.2 if found.page == 1 else 0.0
    for text in ISSUE_LABELS:
        if text in label:
            return 4 + on_page_one, text, None
    tail = re.findall(r"[^\W\d_]+", label)[-4:]
    kind = _other_kind(tail)
    if kind:
        return -2, None, kind
    if PLACE_DATE.match(page[line_start:found.start]):
        return 3 + on_page_one, "place and date", None
    if tail and tail[-1] in GENERIC_LABELS:
        return 2 + on_page_one, tail[-1], None
    alone = not label and not after.strip(" \t:.,")
    return (1 if alone else 0) + on_page_one, None, None


def _other_kind(tail: list[str]) -> str | None:
    """The kind of a date whose label (its last words) names a due date, a birth, a
    start, a period or an end; None for any other label."""
    joined = " " + " ".join(tail) + " "
    for kind, labels in OTHER_KINDS:
        if any(f" {text} " in joined for text in labels):
            return kind
        compounds = _COMPOUNDS[kind]
        if any(word.startswith(compounds) or word.endswith(compounds) for word in tail if word not in labels):
            return kind
    return None


# Labels of five letters or more also begin or end a compound ("Geburtsdatum").
_COMPOUNDS = {kind: tuple(t for t in labels if len(t) >= 5 and " " not in t) for kind, labels in OTHER_KINDS}


def _matches(page: str, day_first: bool) -> Iterator[tuple[re.Match[str], datetime.date]]:
    for pattern in (DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        for match in pattern.finditer(page):
            month = FOLDED_MONTHS.get(fold(match["month"]))  # OCR: "janviér", "Marz"
            date = _date(int(match["year"]), month, int(match["day"])) if month else None
            if date:
                yield match, date
    for match in ISO.finditer(page):
        date = _date(int(match["year"]), int(match["month"]), int(match["day"]))
        if date:
            yield match, date
    for match in NUMERIC.finditer(page):
        a, b, year = int(match["a"]), int(match["b"]), _full_year(match["y"])
        if year is None:
            continue
        dotted = match["sep"] == "."  # 14.11.2022 is day first in every language we read
        first = (a, b) if (day_first or dotted) else (b, a)
        date = _date(year, first[1], first[0]) or _date(year, first[0], first[1])
        if date:
            yield match, date


def _is_day_first(pages: Sequence[str], language: str | None) -> bool:
    """Day-first unless the document shows month-first dates or is US English.

    Impossible readings vote (13/02 can only be day first, 11/14 only month first);
    without votes, English text paid in dollars (or in no named currency) is US,
    everything else is European.
    """
    day_votes = month_votes = 0
    text = "\n".join(pages)
    for match in NUMERIC.finditer(text):
        if match["sep"] == ".":
            continue
        a, b = int(match["a"]), int(match["b"])
        if a > 12 >= b:
            day_votes += 1
        elif b > 12 >= a:
            month_votes += 1
    if day_votes != month_votes:
        return day_votes > month_votes
    if language != "en":
        return True
    european = re.search(r"£|€|\b(?:GBP|EUR|CHF)\b|\bUnited Kingdom\b|\bUK\b|\bVAT\b", text)
    return bool(european) and not re.search(r"\$|\bUSD\b", text)


def _full_year(text: str) -> int | None:
    year = int(text)
    if len(text) == 4:
        return year if 1900 <= year <= 2100 else None
    return 2000 + year if year < 70 else 1900 + year


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
