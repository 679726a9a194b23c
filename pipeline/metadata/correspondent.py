"""Who sent the document, with the evidence, so that a wrong guess can be seen as one.

Evidence in order of trust: a company name in the letterhead (a line with a legal
form, GmbH, Ltd, SARL, S.L., S.r.l. ..., near the top of page one), an explicit
"From:"/"Von:"/"De :" line, the domain of the first e-mail address that is not a
free mail provider, and last the first line of page one when it looks like a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

LEGAL_FORM = re.compile(
    r"\b(?:GmbH(?: & Co\.? KG)?|AG|KG|OHG|e\.\s?K\.|e\.\s?V\.|UG|Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|Corp\.?|plc|PLC"
    r"|LLP|S\.?A\.?S\.?|SARL|S\.A\.R\.L\.|S\.A\.|SA|S\.L\.U?\.?|S\.L|SL|S\.p\.A\.?|SpA|S\.r\.l\.?|Srl|S\.n\.c\.|S\.a\.s\."
    r"|Sagl|B\.V\.|N\.V\.|Co\.)(?![\w])"
)
FROM_LINE = re.compile(r"^[ \t]*(?:From|Von|Absender|De|Expéditeur|Remitente|Da|Mittente)[ \t]*:[ \t]*(?P<name>.+)$",
                       re.IGNORECASE | re.MULTILINE)
EMAIL_DOMAIN = re.compile(r"\b[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,})\b")
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


@dataclass(frozen=True, slots=True)
class Correspondent:
    name: str
    evidence: str  # letterhead | from | email_domain | first_line
    page: int  # 1-based
    text: str  # the line or address it was read from

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "evidence": self.evidence, "page": self.page, "text": self.text}


def find_correspondent(pages: Sequence[str]) -> Correspondent | None:
    if not pages:
        return None
    top = [line.strip() for line in pages[0].splitlines() if line.strip()][:TOP_LINES]
    for line in top:
        match = LEGAL_FORM.search(line)
        if match:
            name = re.split(r"\s+[·|•–—]\s+|,\s+|\s{3,}", line[:match.end()])[-1].strip()
            if len(name) > len(match.group(0)) + 1:
                return Correspondent(name, "letterhead", 1, line)
    for index, page in enumerate(pages):
        match = FROM_LINE.search(page)
        if match:
            name = re.sub(r"\s*<[^>]*>|\s*\[[^]]*]", "", match["name"]).strip(" \"'")
            if "@" in name and " " not in name:
                name = name.split("@")[1]
            if name:
                return Correspondent(name, "from", index + 1, match.group(0).strip())
    for index, page in enumerate(pages):
        for match in EMAIL_DOMAIN.finditer(page):
            domain = match["domain"].lower()
            if domain not in FREE_MAIL:
                return Correspondent(domain, "email_domain", index + 1, match.group(0))
    if top and 3 <= len(top[0]) <= 60 and not NOT_A_NAME.search(top[0]) and len(top[0].split()) <= 6:
        return Correspondent(top[0], "first_line", 1, top[0])
    return None
