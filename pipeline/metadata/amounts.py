"""Money amounts in page text, and which one is the document's total.

Both 1.234,50 and 1,234.50 are read: the last separator followed by one or two digits
is the decimal mark, the others group thousands. A number counts as money only with a
currency next to it or with cents, so quantities, years and postcodes stay out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.metadata.words import fold

CURRENCIES = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "$": "USD", "us$": "USD", "usd": "USD",
    "£": "GBP", "gbp": "GBP",
    "chf": "CHF", "sfr": "CHF", "sfr.": "CHF", "fr.": "CHF",
}
_CURRENCY = r"(?:€|EUR(?:OS?)?|US\$|\$|USD|£|GBP|CHF|SFr\.?|Fr\.)"
# "2 125,20 €" or "EUR 2 125,20": grouped by spaces, which only a currency beside it tells
# from two numbers ("Menge 2 125,20" is not an amount of 2,125.20).
_AFTER_CURRENCY = "|".join(f"(?<={cur}{space})" for cur in ("€", "EUR", "CHF", "£", "\\$") for space in (" ", "\u00a0"))
_SPACE_GROUPED = (r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+[.,]\d{2}(?=[ \u00a0]?(?:€|EUR|CHF|£|\$))"
                  r"|(?:" + _AFTER_CURRENCY + r")\d{1,3}(?:[ \u00a0\u202f]\d{3})+[.,]\d{2}")
_GROUPED = r"\d{1,3}(?:[.,'’\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?"
_PLAIN = r"\d+(?:[.,]\d{1,2}|;\d{2}(?=[ \u00a0]?(?:€|EUR|CHF|£|\$)))?"  # OCR reads "46,00 €" as "46;00 €"
# A minus glued to the number (or to its currency) makes it negative: an overdrawn
# balance "-312,40 EUR", "-€ 12,00"; a hyphen after a word ("RE-2024") is no sign.
NUMBER = re.compile(
    r"(?<![\w'’/])(?<!\w-)(?<!\d[.,])(?P<num>" + _SPACE_GROUPED + "|" + _GROUPED + "|" + _PLAIN + r")(?![\w%]|[.,'’/]\d|\s?%)"
)
ANY_CURRENCY = re.compile(r"€|£|\b(?:EUR|USD|GBP|CHF)\b|(?<![\w$])\$")
CURRENCY_BEFORE = re.compile(r"(?P<cur>" + _CURRENCY + r")[ \u00a0]?-?$", re.IGNORECASE)
CURRENCY_AFTER = re.compile(r"^[ \u00a0]?(?P<cur>" + _CURRENCY + r")(?![^\W\d_])", re.IGNORECASE)

# Labels (folded) on the line of an amount. Excluding ones are checked first: "Total HT"
# or "Sous-total" hold the word total but are not the total.
EXCLUDING = (
    "subtotal", "sub total", "sub-total", "zwischensumme", "sous-total", "sous total", "subtotale",
    "total ht", "montant ht", "total net", "net amount", "nettobetrag", "nettosumme", "summe netto",
    "gesamt netto", "importe neto", "base imponible", "imponibile", "avant impot", "bruttolohn",
    "bruttogehalt", "gesamtbrutto", "gross pay", "gross salary", "salaire brut", "total devengado",
    "total a deducir", "retribuzione lorda", "totale competenze", "totale trattenute", "total deductions",
    "alter saldo", "alter kontostand", "ancien solde", "saldo anterior", "saldo iniziale", "saldo inicial",
    "opening balance", "previous balance", "gegeben", "ruckgeld", "change", "rendu", "cambio", "resto",
    "efectivo", "contanti", "cash", "especes", "discount", "rabatt", "remise", "descuento", "sconto",
    "monnaie rendue", "zuruck", "gesamt brutto", "steuer brutto", "sv brutto", "total gross", "gross pay",
    "grundgehalt", "grundvergutung", "basic salary", "basic pay", "salaire de base", "salario base", "paga base",
)
# Figures that are no payment at all: never the total, even of a document without a
# total label (a policy schedule's sum insured, a tax base, an opening balance).
NOT_PAYMENT = (
    "versicherungssumme", "deckungssumme", "sum insured", "capital assure", "capital garanti", "suma asegurada",
    "massimale", "responsabilite civile", "franchise", "deductible", "selbstbeteiligung", "franquicia", "franchigia",
    "valor catastral", "base liquidable", "zu versteuerndes einkommen", "total income", "taxable income",
    "revenu fiscal de reference", "base d imposition", "messbetrag", "rateable value", "gross charge",
    "reddito imponibile", "anfangssaldo", "balance brought forward", "solde precedent", "kontostand alt",
)
TAX_WORDS = ("mwst", "ust", "vat", "tva", "iva", "tax", "steuer", "impuesto", "imposta")
INCLUDING = ("inkl", "incl", "including", "inclusa", "incluido", "compris", "ttc", "brutto")
STRONG = (
    "gesamtbetrag", "rechnungsbetrag", "endbetrag", "zu zahlen", "zahlbetrag", "bruttobetrag", "gesamtsumme",
    "total due", "amount due", "balance due", "total amount", "grand total", "total to pay", "amount payable",
    "total payable", "total ttc", "montant ttc", "net a payer", "montant total", "total a payer",
    "importe total", "total a pagar", "total factura", "totale documento", "totale da pagare", "importo totale",
    "totale fattura", "totale complessivo", "auszahlungsbetrag", "net pay", "liquido a percibir",
    "netto in busta", "netto del mese", "netto a pagare", "neuer saldo", "neuer kontostand",
    "closing balance", "new balance", "nouveau solde", "saldo final", "saldo finale", "total paid",
    "importe a pagar", "premium due", "jahresbeitrag", "prime annuelle", "prima anual", "premio annuo",
    "erstattungsbetrag", "nachzahlung", "refund due", "amount to pay", "montant a payer", "a devolver",
    "resultado a ingresar", "importo a rimborso", "importo da versare", "to pay", "nettolohn", "nettogehalt",
    "nettoverdienst", "net salary", "salaire net", "stipendio netto", "amount you owe", "you owe",
    "net paye", "net verse", "montant net", "uberweisungsbetrag", "auszahlung", "auszahlungsbetrag", "noch zu zahlen",
    "a ingresar", "totale da versare", "endsaldo", "schlusssaldo", "saldo a fecha", "balance carried forward",
    "solde au", "total a regler", "montant a regler", "cotisation annuelle", "prima total", "annual premium",
    "take home pay", "take home", "amount payable", "importo dovuto",
)
# A statement prints the old and the new balance alike: the last one is the total.
BALANCES = ("saldo", "balance", "kontostand", "solde", "neuer saldo", "neuer kontostand", "closing balance",
            "new balance", "nouveau solde", "saldo final", "saldo finale", "endsaldo", "schlusssaldo", "saldo a fecha",
            "balance carried forward", "solde au")
WEAK = ("total", "summe", "gesamt", "totale", "importe", "montant", "betrag", "amount", "saldo", "balance",
        "kontostand", "solde", "netto", "brutto",
        "premium", "beitrag", "prima", "premio", "honorar", "honoraires", "onorario")
# Not "prime": on a French payslip it is a bonus ("Prime d'ancienneté"), not the total.


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str | None  # EUR, USD, GBP or CHF; None when the document names none
    page: int  # 1-based
    text: str  # as written, with the currency if it was next to the number
    start: int  # offset in the page text
    label: str | None = None  # the label that made it the total
    check: str | None = None  # for the total: "net + tax" or "line items" when amounts above add up to it

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "amount": f"{self.value:.2f}", "currency": self.currency, "page": self.page, "text": self.text,
        }
        if self.label is not None:
            out["label"] = self.label
        if self.check is not None:
            out["check"] = self.check
        return out


def parse_number(text: str) -> Decimal:
    """'1.234,50', '1,234.50', "1'234.50", '1 234,50' -> Decimal('1234.50')."""
    digits = re.sub(r"[ '’\u00a0\u202f]", "", text).replace(";", ",")
    last = max(digits.rfind("."), digits.rfind(","))
    if last >= 0 and len(digits) - last - 1 in (1, 2):
        whole, cents = digits[:last], digits[last + 1:]
        return Decimal(re.sub(r"[.,]", "", whole) + "." + cents)
    return Decimal(re.sub(r"[.,]", "", digits))


def find_amounts(
    pages: Sequence[str],
    excluded: Sequence[Sequence[tuple[int, int]]] = (),
    language: str | None = None,
) -> list[Amount]:
    """Money amounts in page order; a currency-less one gets the document's currency
    (see document_currency)."""
    raw: list[Amount] = []
    for index, page in enumerate(pages):
        spans = excluded[index] if index < len(excluded) else ()
        for match in NUMBER.finditer(page):
            start, end = match.span("num")
            if any(start < s_end and s_start < end for s_start, s_end in spans):
                continue
            before = CURRENCY_BEFORE.search(page, max(0, start - 6), start)
            after = CURRENCY_AFTER.match(page[end:end + 6])
            symbol = (before or after)["cur"] if (before or after) else None
            has_cents = re.search(r"[.,;]\d{2}$", match["num"]) is not None
            if symbol is None and not has_cents:
                continue
            if before and not has_cents and _is_section_sign(page, before.start()):
                continue
            if before:
                start = before.start()
            if after:
                end += after.end()
            negative = _is_negative(page, start, match.start("num"))
            if negative and page[start - 1:start] in "-−":
                start -= 1
            value = parse_number(match["num"])
            currency = CURRENCIES.get(symbol.lower()) if symbol else None
            raw.append(Amount(-value if negative else value, currency, index + 1, page[start:end], start))
    default = document_currency(raw, pages, language)
    return [a if a.currency else Amount(a.value, default, a.page, a.text, a.start) for a in raw]


def _is_section_sign(page: str, start: int) -> bool:
    """A "$" that begins its line before a whole number is a scanned "§ 2" (a contract's
    clause), which OCR reads as "$ 2" or "$.2": no money."""
    return page[start] == "$" and page[page.rfind("\n", 0, start) + 1:start].strip() == ""


def _is_negative(page: str, start: int, number_start: int) -> bool:
    """A minus right before the number or its currency, itself after a space, a colon
    or the line start ("Saldo: -312,40", "-€ 12,00"); not a range "10,00 - 20,00"."""
    if "-" in page[start:number_start] or "−" in page[start:number_start]:
        return True
    return start > 0 and page[start - 1] in "-−" and (start == 1 or page[start - 2] in " \t\n:")


def document_currency(found: Sequence[Amount], pages: Sequence[str], language: str | None) -> str | None:
    """The currency of amounts written without one: the one most amounts name, else
    one named anywhere ("Betrag in EUR", a column head), else EUR for a document in
    German, French, Spanish or Italian; English could be USD or GBP, so None."""
    named = Counter(a.currency for a in found if a.currency)
    if named:
        return named.most_common(1)[0][0]
    anywhere = Counter(CURRENCIES[m.group(0).lower()] for page in pages for m in ANY_CURRENCY.finditer(page))
    if anywhere:
        return anywhere.most_common(1)[0][0]
    return "EUR" if language in ("de", "fr", "es", "it") else None


def pick_total(amounts: Sequence[Amount], pages: Sequence[str]) -> Amount | None:
    """The labelled total ("Gesamtbetrag", "Total TTC", "Importe total"...): the best
    label wins, then the largest amount, or for balances the last one. Without a
    label, the largest amount with a currency next to it."""
    labelled = [(score, label, amount) for amount in amounts
                for score, label in [_label(amount, pages[amount.page - 1])] if score > 0]
    if labelled:
        best = max(score for score, _, _ in labelled)
        top = [(label, amount, check_total(amount, amounts)) for score, label, amount in labelled if score == best]
        checked = [entry for entry in top if entry[2]]
        if checked and len(checked) < len(top):  # what the amounts above add up to is the total
            top = checked
        if all(label in BALANCES for label, _, _ in top):
            label, amount, check = top[-1]
        else:
            label, amount, check = max(top, key=lambda entry: entry[1].value)
        return Amount(amount.value, amount.currency, amount.page, amount.text, amount.start, label, check)
    marked = [a for a in amounts if re.search(_CURRENCY, a.text, re.IGNORECASE)
              and not _is_excluded(a, pages[a.page - 1])]
    return max(marked, key=lambda a: a.value, default=None)


CHECK_WINDOW = 40  # amounts above a total that are tried as its parts


def check_total(total: Amount, amounts: Sequence[Amount]) -> str | None:
    """How the amounts above `total` on its page confirm it: two of them adding up to
    it ("net + tax"), or a run of them right above it ("line items"); None if neither."""
    above = [a.value for a in amounts if a.page == total.page and a.start < total.start][-CHECK_WINDOW:]
    wanted = total.value
    seen: set[Decimal] = set()
    for value in above:
        if value > 0 and wanted - value in seen:
            return "net + tax"
        seen.add(value)
    running = Decimal(0)
    for count, value in enumerate(reversed(above), start=1):
        running += value
        if running == wanted and count >= 2:
            return "line items"
    return None


def _is_excluded(amount: Amount, page: str) -> bool:
    """Its line names it as something other than a payment (a sum insured, a tax base)."""
    line = fold(page[page.rfind("\n", 0, amount.start) + 1:amount.start])
    return bool(_NOT_PAYMENT.search(" " + " ".join(re.findall(r"[^\W\d_]+", line)) + " "))


def _label(amount: Amount, page: str) -> tuple[int, str | None]:
    """2 for a total label, 1 for a weak one ("Total", "Summe"), 0 for none or an
    excluding one ("Sous-total", "MwSt 19 %").

    The label is the text before the amount on its line, after any earlier number (a
    VAT rate or a net column); for a table whose label and value OCR onto separate
    lines, it is the line above when this line has no words at all.
    """
    line_start = page.rfind("\n", 0, amount.start) + 1
    whole = fold(page[line_start:amount.start])
    label = re.split(r"\d[\d.,]*\d", whole)[-1]
    if not re.search(r"[^\W\d_]{2}", label):
        label = whole
    if not re.search(r"[^\W\d_]{2}", label):
        previous_end = max(line_start - 1, 0)
        label = fold(page[page.rfind("\n", 0, previous_end) + 1:previous_end])
        if re.search(r"\d", label):
            return 0, None
    words = " " + " ".join(re.findall(r"[^\W\d_]+", label)) + " "
    if _EXCLUDING.search(words):
        return 0, None
    strong = _STRONG.search(words)
    if strong:
        return 2, strong.group(1)
    if not _INCLUDING.search(words) and _TAX.search(words):
        return 0, None
    weak = _WEAK.search(words)
    return (1, weak.group(1)) if weak else (0, None)


def _any_of(phrases: Sequence[str], prefix: bool = False) -> re.Pattern[str]:
    """One pattern for a list of phrases as whole words of a space-joined label
    (`prefix`: the phrase may begin a longer word, "incl" in "including")."""
    end = "" if prefix else "(?= )"
    return re.compile("(?<= )(" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + ")" + end)


_EXCLUDING = _any_of(EXCLUDING + NOT_PAYMENT)
_NOT_PAYMENT = _any_of(NOT_PAYMENT)
_STRONG = _any_of(STRONG)
_WEAK = _any_of(WEAK)
_TAX = _any_of(TAX_WORDS)
_INCLUDING = _any_of(INCLUDING, prefix=True)
