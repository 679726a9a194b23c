"""Which of the five supported languages a document is written in.

A vote of common function words, not a library: langdetect (the one Debian ships)
knows 55 languages, so short OCR text of an invoice comes back as "nl" or "ca"; it is
random unless a global seed is set, and it loads its profiles in ~0.3 s per worker.
Our documents are en/de/fr/es/it business paper, where these words are frequent and
distinctive; the vote is deterministic and takes about a millisecond per page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pipeline.metadata.words import words

LANGUAGES = ("en", "de", "fr", "es", "it")

# Words frequent in one language and rare in the others (folded: no accents).
# Shared ones ("de", "en", "la", "del", "a") are left out on purpose.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to for is are your you with this that on from please by "
                    "our we be will have has at any date amount due total dear regards "
                    "account number payment thank invoice".split()),
    "de": frozenset("der die das und ist fur mit von zu den des nicht ein eine einer bitte "
                    "ihre ihr wir sie auf im bei oder sehr geehrte uns vom zum zur dem "
                    "betrag rechnung datum nach wird werden am an aus uber ihnen sind wurde haben sowie konto".split()),
    "fr": frozenset("le les des et du pour une est vous votre vos nous avec sur dans au aux "
                    "par ce cette qui sont montant facture madame monsieur veuillez "
                    "date ou pas".split()),
    "es": frozenset("el los las y con para por una su sus que es usted muy este esta "
                    "factura fecha importe senor estimado gracias al como se lo".split()),
    "it": frozenset("il lo gli della delle dei di e per con una sono alla al nel che non "
                    "sua suo questo questa fattura data importo gentile si ai ed".split()),
}

MIN_VOTES = 3
# Tesseract's language codes for ours: the OCR language is the hint where text is unsure.
FROM_TESSERACT = {"eng": "en", "deu": "de", "fra": "fr", "spa": "es", "ita": "it"}


def detect(pages: Sequence[str]) -> str | None:
    """The language most of the text's function words belong to, or None if unsure.

    Unsure means fewer than MIN_VOTES matching words or a tie: a wrong language would
    flip 01/02 dates, so None (and the neutral defaults it brings) is the safer answer.
    """
    votes: Counter[str] = Counter()
    for page in pages:
        for word in words(page):
            for language, stopwords in STOPWORDS.items():
                if word in stopwords:
                    votes[language] += 1
    ranked = votes.most_common(2)
    if not ranked or ranked[0][1] < MIN_VOTES:
        return None
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
