"""Pages turned 90, 180 or 270 degrees: detect (Tesseract OSD on a reduced copy), turn.

OSD costs 0.4-0.7 s a page even on a half-size copy, a fifth of reading the page, and
almost every page is upright. So the page is read first, and OSD runs only when that
reading says the page may be turned: a low mean confidence (upside-down or sideways
text reads as garbage), or words taller than wide (Tesseract read sideways lines
sideways). An upright page costs one tesseract run; a turned one costs OSD and a second.
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)

OSD_DPI = 150  # the reduced copy's resolution: OSD is as sure at 150 dpi as at 300
MIN_UPRIGHT_CONFIDENCE = 60.0  # mean word confidence of an upright page in a real scan
MIN_OSD_CONFIDENCE = 2.0  # Tesseract's orientation confidence; below it, leave the page
_TURN = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


@dataclass(frozen=True, slots=True)
class Word:
    width: int
    height: int
    text: str
    confidence: float
    left: int = 0  # pixels from the image's top left
    top: int = 0
    block: int = 0  # tesseract's block and line (paragraph * 1000 + line) numbers
    line: int = 0


def may_be_turned(words: list[Word]) -> bool:
    """What the first reading says about the page's orientation."""
    long_words = [w for w in words if len(w.text) >= 3]
    if len(long_words) < 3:
        return False  # nothing to go on, and nothing much lost
    mean = sum(w.confidence for w in words) / len(words)
    tall = sum(w.height > w.width for w in long_words)
    return mean < MIN_UPRIGHT_CONFIDENCE or tall > len(long_words) / 2


def detect_rotation(image: Path, dpi: int, tesseract_cmd: str, timeout: int) -> int:
    """Clockwise degrees (0, 90, 180, 270) that turn the page upright; 0 when unsure."""
    reduced = image.with_name(f"{image.stem}.osd.png")
    with Image.open(image) as img:
        img.convert("L").reduce(max(1, round(dpi / OSD_DPI))).save(reduced, dpi=(OSD_DPI, OSD_DPI))
    try:
        proc = subprocess.run(
            [tesseract_cmd, str(reduced), "-", "-l", "osd", "--psm", "0"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return 0
    finally:
        reduced.unlink(missing_ok=True)
    rotate = re.search(r"^Rotate:\s+(\d+)", proc.stdout, re.M)
    confidence = re.search(r"^Orientation confidence:\s+([\d.]+)", proc.stdout, re.M)
    if not rotate or not confidence:
        log.debug("%s: OSD found too little text to say (%s)", image.name, proc.stderr.strip())
        return 0
    if float(confidence.group(1)) < MIN_OSD_CONFIDENCE:
        log.debug("%s: unsure about page orientation (%s)", image.name, confidence.group(1))
        return 0
    return int(rotate.group(1)) % 360


def turn(image: Path, degrees: int) -> Path:
    """The page turned clockwise by `degrees`, saved beside it uncompressed (a JPEG taken
    out of a PDF is not compressed a second time)."""
    with Image.open(image) as img:
        suffix = ".pbm" if img.mode == "1" else ".tif"  # uncompressed; tesseract reads a PGM 10 % slower
        target = image.with_name(f"{image.stem}.r{degrees}{suffix}")
        img.transpose(_TURN[degrees]).save(target)
    return target
