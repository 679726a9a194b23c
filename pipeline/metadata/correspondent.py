"""Who sent the document, with the evidence, so that a wrong guess can be seen as one.

Evidence in order of trust: a company name in the letterhead (a line with a legal
form, GmbH, Ltd, SARL, S.L., S.r.l. ..., near the top of page one; the words before
the name, "zwischen der Firma", "This agreement is made ... between", are cut off), a
letterhead line that the document's own web or e-mail domain confirms (the domain
"circololafenice.it" spells "Circolo Culturale La Fenice" in order), an explicit
"From:"/"Von:"/"De :" line, the domain of the first e-mail address that is not a free
mail provider, and last the first line of page one when it looks like a name. A
domain only confirms a name: it is the answer only when no line of the letterhead is.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.metadata.identifiers import EMAIL
from pipeline.metadata.terms import within

LEGAL_FORM = re.compile(
    r"\b(?:GmbH(?: & Co\.? KG)?|AG|KG|OHG|e\.\s?K\.|e\.\s?V\.|UG|Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|Corp\.?|plc|PLC"
    r"|LLP|S\.?A\.?S\.?|SARL|S\.A\.R\.L\.|S\.A\.|SA|S\.L\.U?\.?|S\.L|SL|S\.p\.A\.?|SpA|S\.r\.l\.?|Srl|S\.n\.c\.|S\.a\.s\."
    r"|Sagl|B\.V\.|N\.V\.|Co\.)(?![\w])"
)
FROM_LINE = re.compile(r"^[ \t]{0,8}(?:From|Von|Absender|De|Expéditeur|Remitente|Da|Mittente)[ \t]{0,8}:[ \t]{0,8}"
                       r"(?P<name>.{1,200})$",
                       re.IGNORECASE | re.MULTILINE)
FREE_MAIL = frozenset(
    "gmail.com googlemail.com yahoo.com yahoo.de yahoo.fr yahoo.es yahoo.it hotmail.com hotmail.de hotmail.fr "
    "hotmail.es hotmail.it outlook.com outlook.de live.com gmx.de gmx.net gmx.at gmx.ch web.de t-online.de "
    "icloud.com me.com aol.com orange.fr free.fr laposte.net sfr.fr wanadoo.fr libero.it virgilio.it tiscali.it "
    "alice.it telefonica.net proton.me protonmail.com mail.com".split()
)
NOT_A_NAME = re.compile(
    r"\b(?:invoice|rechnung|facture|factura|fattura|receipt|quittung|kassenbon|statement|kontoauszug|contract"
    r"|vertrag|contrat|contrato|contratto|page|seite|dear|sehr|date|datum|fecha|data)\b|\d{3}",
    re.IGNORECASE,
)
TOP_LINES = 8
WEB_DOMAIN = re.compile(r"\b(?:www\.|https?://)(?P<domain>[\w-]{1,63}(?:\.[\w-]{1,63}){0,4})", re.IGNORECASE)
# Words that lead into a name on its line, never part of it (folded).
LEAD_WORDS = frozenset("zwischen der die firma und entre et le la les tra e il lo between and by the of with "
                       "de una parte otra y con da".split())
NAME_LINKS = frozenset("& und and et y e de di da du des del della la le les von van der den dei do dos"
                       .split())


@dataclass(frozen=True, slots=True)
class Correspondent:
    name: str
    evidence: str  # letterhead | from | email_domain | first_line
    page: int  # 1-based
    text: str  # the line or address it was read from

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "evidence": self.evidence, "page": self.page, "text": self.text}


def find_correspondent(pages: Sequence[str]) -> Correspondent | None:
    found = _find(pages)
    if found is None or found.evidence == "email_domain":
        return found
    name = normalise(found.name, pages)
    return found if name == found.name else Correspondent(name, found.evidence, found.page, found.text)


def normalise(name: str, pages: Sequence[str]) -> str:
    """The spelling of `name` that its other occurrences (footer, signature, the last
    page) support: OCR reads "plc" as "ple", "ß" as "B", "ñ" as "fi". Among the
    variants within a few edits of it, one ending in a legal form is preferred, then
    one with more accented letters (OCR loses them, it does not invent them), then
    the most frequent."""
    wanted = name.split()
    if not wanted or len(wanted) > 8:
        return name
    variants: Counter[str] = Counter()
    for page in {0: pages[0], len(pages) - 1: pages[-1]}.values():
        for line in page.splitlines():
            tokens = [t.strip(",;:·|()") for t in line.split()]
            for i in range(len(tokens) - len(wanted) + 1):
                window = tokens[i:i + len(wanted)]
                if all(within(a.casefold(), b.casefold(), 1 if len(a) < 6 else 2) for a, b in zip(wanted, window)):
                    variants[" ".join(window)] += 1
    if len(variants) < 2:
        return name

    def rank(variant: str) -> tuple[bool, int, int]:
        legal = LEGAL_FORM.search(variant)
        return (bool(legal and legal.end() == len(variant)), sum(not ch.isascii() for ch in variant),
                variants[variant])

    return max(variants, key=rank)


def _find(pages: Sequence[str]) -> Correspondent | None:
    if not pages:
        return None
    top = [line.strip() for line in pages[0].splitlines() if line.strip()][:TOP_LINES]
    for line in top:
        match = LEGAL_FORM.search(line)
        if match:
            name = _name_before(re.split(r"\s+[·|•–—:]\s+|,\s+|\s{3,}", line[:match.end()])[-1].strip())
            if len(name) > len(match.group(0)) + 1:
                return Correspondent(name, "letterhead", 1, line)
    domains = _domains(pages)
    for line in top:
        if _holds_address(line):  # the domain's own line names no one
            continue
        confirmed = next((d for d in domains if _spells(d, line)), None)
        if confirmed and not NOT_A_NAME.search(line) and len(line.split()) <= 8:
            return Correspondent(line, "letterhead+domain", 1, f"{line} ({confirmed})")
    for index, page in enumerate(pages):
        match = FROM_LINE.search(page)
        if match:
            name = re.sub(r"\s*<[^>]*>|\s*\[[^]]*]", "", match["name"]).strip(" \"'")
            if "@" in name and " " not in name:
                name = name.split("@")[1]
            if name:
                return Correspondent(name, "from", index + 1, match.group(0).strip())
    first = re.split(r"\s+[-–—|·]\s+", top[0])[0] if top else ""
    # A title ("Come conservare scontrini e ricevute") is no name; "Direction générale des
    # Finances publiques" is: a name capitalises more than its first word.
    rest = first.split()[1:]
    sentence = not any(w[:1].isupper() for w in rest) and sum(w[:1].islower() and len(w) >= 4 for w in rest) >= 2
    named = (3 <= len(first) <= 60 and not NOT_A_NAME.search(first) and len(first.split()) <= 6 and not sentence
             and not _holds_address(first))
    # A top line of capitalised words is the letterhead's name and beats an e-mail domain
    # it does not spell ("Millbrook Allotment Association", not "millbrookplots.org.uk").
    if named and sum(w[:1].isupper() for w in first.split()) >= 2:
        return Correspondent(first, "first_line", 1, top[0])
    for index, page in enumerate(pages):
        for match in EMAIL.finditer(page):
            domain = match["domain"].lower()
            if domain not in FREE_MAIL:
                return Correspondent(domain, "email_domain", index + 1, match.group(0))
    return Correspondent(first, "first_line", 1, top[0]) if named else None


def _holds_address(line: str) -> bool:
    return bool(WEB_DOMAIN.search(line) or EMAIL.search(line))


def _name_before(text: str) -> str:
    """The name that ends `text` (which ends with a legal form): the run of
    capitalised words and links ("&", "und", "de") before it, without lead words."""
    tokens = text.split()
    start = len(tokens)
    while start > 0:
        token = tokens[start - 1]
        folded = token.casefold().strip(",;:")
        if folded in LEAD_WORDS and folded not in NAME_LINKS:
            break
        if not (token[:1].isupper() or token[:1].isdigit() or folded in NAME_LINKS or start == len(tokens)
                or "." in token):
            break
        start -= 1
    while start < len(tokens) and tokens[start].casefold() in NAME_LINKS | LEAD_WORDS:
        start += 1
    return " ".join(tokens[start:])


def _domains(pages: Sequence[str]) -> list[str]:
    """The document's own web and e-mail domains, as the name part ("girasolecoop")."""
    found = [m["domain"] for page in pages for m in (*WEB_DOMAIN.finditer(page), *EMAIL.finditer(page))]
    names = []
    for domain in found:
        if domain.lower() in FREE_MAIL:
            continue
        parts = [p for p in re.split(r"[.:]", domain.lower()) if p]
        core = max(parts[:-1] or parts, key=len).replace("-", "")
        if len(core) >= 5 and core not in names:
            names.append(core)
    return names


def _spells(domain: str, line: str) -> bool:
    """The domain's letters appear in order in the line's letters (ß as ss, ä as a or
    ae): "tsvblauweissgruenwald" in "TSV Blau-Weiß Grünwald e.V.", or the two share a
    word of six letters or more that is most of the domain ("girasolecoop")."""
    letters = "".join(ch for ch in line.casefold().replace("ß", "ss") if ch.isalnum())
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", letters) if not unicodedata.combining(ch))
    if len(domain) < len(plain) // 3:
        return False
    if _subsequence(domain, plain) or _subsequence(re.sub(r"(?<=[aou])e", "", domain), plain):
        return True
    shared = SequenceMatcher(None, domain, plain, autojunk=False).find_longest_match(0, len(domain), 0, len(plain))
    return shared.size >= 6 and shared.size * 3 >= len(domain) * 2


def _subsequence(small: str, big: str) -> bool:
    rest = iter(big)
    return all(ch in rest for ch in small)
