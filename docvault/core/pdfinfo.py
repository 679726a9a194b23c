"""What a PDF holds, read without decoding a single image: page count, each page's size
and /Rotate, the images on each page (size, encoding, resolution), whether it is encrypted.

Two poppler calls per document (`pdfinfo`, `pdfimages -list`), whatever its page count:
a 1.2-gigapixel image in an 11 KB file is refused here, before anything is rendered.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from docvault.core.errors import CorruptFile, EncryptedPdf

METADATA_KEYS = ("Title", "Author", "Creator", "Producer", "CreationDate", "ModDate")


@dataclass(frozen=True, slots=True)
class PdfImage:
    """One line of `pdfimages -list`: an image (or a stencil or soft mask) on a page."""
    kind: str  # image, stencil, smask, ...
    width: int  # pixels
    height: int
    color: str  # gray, rgb, cmyk, icc, index, ...
    components: int
    bits: int  # per component
    encoding: str  # jpeg, jbig2, ccitt, jpx, image (flate or none), ...
    x_ppi: int  # as placed on the page; 0: unknown
    y_ppi: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True, slots=True)
class PdfPage:
    number: int  # 1-based
    width_pt: float  # as displayed, i.e. after /Rotate
    height_pt: float
    rotate: int  # the page's /Rotate, which poppler applies when rendering
    image_pixels: int  # width x height of the largest image on the page; 0: none
    image_ppi: int  # the resolution of that image as placed on the page; 0: none
    images: tuple[PdfImage, ...] = ()  # everything pdfimages lists for the page


@dataclass(frozen=True, slots=True)
class PdfInfo:
    page_count: int
    encrypted: bool  # encrypted, yet opened: the user password is empty
    metadata: dict[str, str]
    pages: tuple[PdfPage, ...]


def page_count(path: Path, timeout: int) -> int:
    """The page count alone (one pdfinfo run, no per-page lines): for sizing a job."""
    return _count(_fields(_poppler(["pdfinfo", str(path)], path, timeout)))


def read_info(path: Path, timeout: int) -> PdfInfo:
    out = _poppler(["pdfinfo", "-f", "1", "-l", "1000000", str(path)], path, timeout)
    fields = _fields(out)
    count = _count(fields)
    sizes = {int(n): (float(w), float(h)) for n, w, h in
             re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)}
    rotates = {int(n): int(r) % 360 for n, r in re.findall(r"^Page\s+(\d+) rot:\s+(-?\d+)", out, re.M)}
    images = _page_images(path, timeout)
    pages = []
    for number in range(1, count + 1):
        width, height = sizes.get(number, (612.0, 792.0))
        if rotates.get(number, 0) in (90, 270):
            width, height = height, width
        on_page = tuple(images.get(number, ()))
        drawn = [i for i in on_page if i.kind in ("image", "stencil")]
        largest = max(drawn, key=lambda i: i.pixels, default=None)
        pixels, ppi = (largest.pixels, largest.x_ppi) if largest else (0, 0)
        pages.append(PdfPage(number, width, height, rotates.get(number, 0), pixels, ppi, on_page))
    return PdfInfo(
        page_count=count,
        encrypted=fields.get("Encrypted", "no").startswith("yes"),
        metadata={k: fields[k] for k in METADATA_KEYS if fields.get(k)},
        pages=tuple(pages),
    )


def _fields(out: str) -> dict[str, str]:
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in out.splitlines())
        if not key.startswith("Page ")
    )


def _count(fields: dict[str, str]) -> int:
    try:
        return int(fields.get("Pages", "0"))
    except ValueError:
        return 0


def _page_images(path: Path, timeout: int) -> dict[int, list[PdfImage]]:
    """page -> the images pdfimages lists for it (nothing decoded)."""
    out = _poppler(["pdfimages", "-list", str(path)], path, timeout)
    images: dict[int, list[PdfImage]] = {}
    for line in out.splitlines()[2:]:
        cols = line.split()
        if len(cols) < 14 or not all(c.isdigit() for c in (cols[0], cols[3], cols[4])):
            continue
        images.setdefault(int(cols[0]), []).append(PdfImage(
            kind=cols[2], width=int(cols[3]), height=int(cols[4]), color=cols[5],
            components=_int(cols[6]), bits=_int(cols[7]), encoding=cols[8],
            x_ppi=_int(cols[12]), y_ppi=_int(cols[13]),
        ))
    return images


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _poppler(cmd: list[str], path: Path, timeout: int) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise CorruptFile(f"{path.name} could not be read in {timeout} s; the PDF may be damaged") from None
    errors = proc.stderr.decode("utf-8", "replace")
    if "Incorrect password" in errors:
        raise EncryptedPdf(
            f"{path.name} is password-protected; save it without a password and drop it again"
        )
    if "Invalid page count 0" in errors:
        raise CorruptFile(f"{path.name} has no pages")
    if proc.returncode != 0:
        raise CorruptFile(f"{path.name} is damaged or cut short, not a complete PDF ({_last_line(errors)})")
    return proc.stdout.decode("utf-8", "replace")


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no details"
