"""The labeled document set: loading it, OCRing some of it, scoring the extractors.

Shared by the tests (which assert the accuracy) and bench/metadata_bench.py (which
prints it), so that both measure the same thing. Three sets: tests/fixtures/labeled/,
the development set the rules are tuned on; tests/fixtures/heldout/, the first frozen
set (bench/heldout.py), whose misses were looked at while the rules were reworked, so it
is no longer clean; and tests/fixtures/testset/, the second frozen set (bench/testset.py),
written without reading the rules and never tuned on. Each document is NAME.txt with
NAME.yaml beside it:

    category: invoice
    language: de
    document_date: "2022-11-14"
    total: {amount: "779.15", currency: EUR}   # or null
    iban: DE44500105175407324931               # or null
    ocr: true                                  # optional: render and OCR the text
    # the test set instead: ibans: [...], correspondent: "...", scanned: true
    # (its scans are stored as their OCR text already)

A form feed in NAME.txt starts a new page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from docvault.core.categories import CategoryRules, parse_categories
from pipeline.categorize import categorize
from pipeline.metadata import extract
from pipeline.metadata.identifiers import is_valid_iban
from pipeline.metadata.language import TO_TESSERACT
from pipeline.metadata.words import words

if TYPE_CHECKING:
    from PIL import ImageFont

ROOT = Path(__file__).resolve().parents[1]
LABELED_DIR = ROOT / "tests" / "fixtures" / "labeled"
HELDOUT_DIR = ROOT / "tests" / "fixtures" / "heldout"
TESTSET_DIR = ROOT / "tests" / "fixtures" / "testset"
# What `make test` asserts on the test set: a little below the figures the rules reach
# there (bench.metadata_bench prints them), so that a change that loses ground fails.
TESTSET_FLOORS = {"category": 0.97, "document_date": 0.97, "total": 0.97, "iban": 0.98, "correspondent": 0.96}
DEFAULT_RULES = ROOT / "config.yaml"
FIELDS = ("category", "document_date", "total", "iban", "correspondent")


@dataclass(frozen=True, slots=True)
class LabeledDoc:
    name: str
    text: str
    expected: dict[str, object]

    @property
    def wants_ocr(self) -> bool:
        return bool(self.expected.get("ocr"))


@dataclass
class Accuracy:
    """Per-field hits over a set; `misses` says which document got what, for a failing
    test to be read without a debugger. A field counts only in documents labelled with
    it (correspondent), and IBANs count one by one (recall)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    documents: int = 0
    invalid_ibans: int = 0  # reported IBANs failing the checksum: must stay 0
    wrong_ibans: int = 0  # reported IBANs that are valid but not the document's
    misses: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.documents

    def rate(self, name: str) -> float:
        return self.hits[name] / self.counts[name] if self.counts[name] else 0.0

    def to_dict(self) -> dict[str, object]:
        return {"documents": self.documents, **{f: round(self.rate(f), 3) for f in FIELDS if self.counts[f]},
                "invalid_ibans": self.invalid_ibans, "wrong_ibans": self.wrong_ibans}


def load_rules(path: Path = DEFAULT_RULES) -> CategoryRules:
    return parse_categories(yaml.safe_load(path.read_text(encoding="utf-8"))["categories"])


def load_labeled(directory: Path = LABELED_DIR) -> list[LabeledDoc]:
    docs = []
    for text_path in sorted(directory.glob("*.txt")):
        expected = yaml.safe_load(text_path.with_suffix(".yaml").read_text(encoding="utf-8"))
        docs.append(LabeledDoc(text_path.stem, text_path.read_text(encoding="utf-8"), expected))
    return docs


def load_font(size: int) -> "ImageFont.FreeTypeFont":
    """DejaVu Sans where fontconfig or Pillow's own search of the system font folders
    finds it, else Pillow's built-in scalable font: no font path is written down."""
    from PIL import ImageFont

    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.endswith(".ttf") and Path(found.stdout).is_file():
            return ImageFont.truetype(found.stdout, size)
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        pass
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 (Debian bookworm's 9.4): a fixed-size bitmap font
        return ImageFont.load_default()


def render(text: str, path: Path, size: int = 17, seed: int = 0) -> Path:
    """Draw `text` as a poor scan: a small font (about 150 dpi for 10 pt), half a
    degree of skew, blur and speckles, so that tesseract makes real mistakes. The
    noise is seeded: the same document OCRs the same way every run."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    font = load_font(size)
    lines = text.splitlines() or [""]
    line_height = int(size * 1.45)
    width = max(int(font.getlength(line)) for line in lines) + 4 * size
    image = Image.new("L", (max(width, 600), line_height * len(lines) + 4 * size), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((size * 2, size * 2 + i * line_height), line, font=font, fill=0)
    image = image.rotate(0.5, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=True)
    image = image.filter(ImageFilter.GaussianBlur(0.7))
    rng = random.Random(seed)
    pixels = image.load()
    for _ in range(image.width * image.height // 150):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((0, 90, 255))
    image.save(path)
    return path


def ocr(image: Path, language: str) -> str:
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # 2 shared cores: one thread per tesseract
    return pytesseract.image_to_string(str(image), lang=TO_TESSERACT.get(language, "eng"))


def page_texts(doc: LabeledDoc, work_dir: Path | None) -> list[str]:
    """The document's pages (a form feed in the .txt starts a new page), through
    render + OCR when it asks for it and a work dir is given."""
    pages = doc.text.split("\f")
    if doc.wants_ocr and work_dir is not None:
        language = str(doc.expected.get("language", "en"))
        seed = sum(map(ord, doc.name))
        return [ocr(render(page, work_dir / f"{doc.name}-{n}.png", seed=seed + n), language)
                for n, page in enumerate(pages, start=1)]
    return pages


def is_scanned(doc: LabeledDoc) -> bool:
    """OCRed here (`ocr: true`) or frozen as OCR text (`scanned: true`)."""
    return doc.wants_ocr or bool(doc.expected.get("scanned"))


def score(docs: Sequence[LabeledDoc], texts: Sequence[Sequence[str]], rules: CategoryRules) -> Accuracy:
    accuracy = Accuracy()
    for doc, pages in zip(docs, texts):
        meta = extract(pages)
        category = categorize(pages, meta, rules)
        got = {
            "category": category.category,
            "document_date": meta.document_date.date.isoformat() if meta.document_date else None,
            "total": {"amount": f"{meta.total.value:.2f}", "currency": meta.total.currency} if meta.total else None,
        }
        want = {f: doc.expected.get(f) for f in ("category", "document_date", "total")}
        if want["document_date"] is not None:
            want["document_date"] = str(want["document_date"])
        accuracy.documents += 1
        for name, value in want.items():
            _count(accuracy, doc.name, name, got[name], value, got[name] == value)
        expected_ibans = _expected_ibans(doc)
        reported = [i.value for i in meta.ibans]
        for iban in expected_ibans:
            _count(accuracy, doc.name, "iban", reported, iban, iban in reported)
        accuracy.invalid_ibans += sum(not is_valid_iban(i) for i in reported)
        accuracy.wrong_ibans += sum(i not in expected_ibans for i in reported)
        if "correspondent" in doc.expected:
            name = meta.correspondent.name if meta.correspondent else None
            wanted = doc.expected["correspondent"]
            _count(accuracy, doc.name, "correspondent", name, wanted, same_name(name, wanted))
    return accuracy


def _count(accuracy: Accuracy, doc: str, name: str, got: object, want: object, hit: bool) -> None:
    accuracy.counts[name] += 1
    if hit:
        accuracy.hits[name] += 1
    else:
        accuracy.misses.append(f"{doc}: {name} expected {want!r}, got {got!r}")


def _expected_ibans(doc: LabeledDoc) -> list[str]:
    if "ibans" in doc.expected:
        return list(doc.expected["ibans"] or [])
    single = doc.expected.get("iban")
    return [str(single)] if single else []


# Legal forms and the joining words of names: "Weiß & Söhne GmbH" and "Weiss Sohne"
# name the same firm; the letters of the name are what must be right.
_NAME_NOISE = frozenset("gmbh co kg ag ev ek ohg vvag eg ltd llc inc plc sarl sas sa sl slu srl spa snc sagl selarl scc"
                        " und and et y e".split())


def same_name(got: object, want: object) -> bool:
    """Correspondent names compared by their words, ignoring case, accents,
    punctuation and legal forms."""
    if got is None or want is None:
        return got is want

    def key(name: str) -> list[str]:
        return [w for w in words(name.replace(".", "")) if w not in _NAME_NOISE and len(w) > 1]

    return key(str(got)) == key(str(want))
