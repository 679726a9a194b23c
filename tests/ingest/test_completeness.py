"""ingest/completeness.py: whole files of each kind, and the same files cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.completeness import is_complete
from tests.conftest import corpus

FILES = [
    "ocrmypdf/multipage.pdf", "ocrmypdf/francais.pdf", "ocrmypdf/baiona_color.jpg",
    "paperless-ngx/simple.png", "tesseract/phototest.tif", "paperless-ngx/multi-page-images.tiff",
    "paperless-ngx/document.webp", "paperless-ngx/simple.gif", "paperless-ngx/simple.bmp",
]


@pytest.mark.parametrize("name", FILES)
def test_whole_file_is_complete(name: str) -> None:
    assert is_complete(corpus(name))


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("part", [1 / 3, 2 / 3])
def test_file_cut_short_is_not(name: str, part: float, tmp_path: Path) -> None:
    data = corpus(name).read_bytes()
    cut = tmp_path / Path(name).name
    cut.write_bytes(data[:int(len(data) * part)])
    assert not is_complete(cut)


def test_a_name_says_nothing(tmp_path: Path) -> None:
    """A JPEG called .pdf is judged as a JPEG; text called .pdf is not complete."""
    jpeg = tmp_path / "scan.pdf"
    jpeg.write_bytes(corpus("ocrmypdf/baiona_color.jpg").read_bytes())
    text = tmp_path / "notes.pdf"
    text.write_bytes(b"just words %%EOF\n")
    assert is_complete(jpeg) and not is_complete(text)
