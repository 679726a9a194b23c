"""pipeline/detect.py: the kind of a file comes from its bytes, never its name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docvault.core.errors import CorruptFile, UnsupportedFile
from pipeline.detect import Kind, detect_kind
from tests.conftest import corpus


@pytest.mark.parametrize(("name", "kind"), [
    ("paperless-ngx/simple.png", Kind.PNG),
    ("paperless-ngx/simple.jpg", Kind.JPEG),
    ("paperless-ngx/multi-page-images.tiff", Kind.TIFF),
    ("paperless-ngx/simple.bmp", Kind.BMP),
    ("paperless-ngx/simple.gif", Kind.GIF),
    ("paperless-ngx/document.webp", Kind.WEBP),
    ("ocrmypdf/jbig2.pdf", Kind.PDF),
    ("paperless-ngx/invalid_pdf.pdf", Kind.PDF),  # 4 junk bytes before %PDF-
])
def test_kind_comes_from_content(name: str, kind: Kind) -> None:
    assert detect_kind(corpus(name)) is kind


def test_pdf_named_jpg_is_a_pdf(tmp_path: Path) -> None:
    disguised = tmp_path / "scan.jpg"
    shutil.copy(corpus("paperless-ngx/simple-digital.pdf"), disguised)
    assert detect_kind(disguised) is Kind.PDF


def test_png_named_pdf_is_read_as_png(tmp_path: Path) -> None:
    misnamed = tmp_path / "letter.pdf"
    shutil.copy(corpus("paperless-ngx/simple.png"), misnamed)
    assert detect_kind(misnamed) is Kind.PNG


def test_pdf_name_on_other_bytes_fails_as_not_a_pdf(tmp_path: Path) -> None:
    fake = tmp_path / "letter.pdf"
    fake.write_bytes(b"<html><body>download failed</body></html>")
    with pytest.raises(UnsupportedFile, match="letter.pdf is not a PDF"):
        detect_kind(fake)


def test_zero_byte_file_fails_as_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.touch()
    with pytest.raises(CorruptFile, match="empty"):
        detect_kind(empty)


def test_unknown_content_names_the_types_read(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just words")
    with pytest.raises(UnsupportedFile, match="PDF, PNG, JPEG, TIFF, BMP, GIF, WebP") as info:
        detect_kind(text)
    assert not info.value.transient
