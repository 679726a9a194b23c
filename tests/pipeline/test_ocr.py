"""pipeline/ocr.py (with blank.py, orient.py, parallel.py): reading pages through
pipeline.read.read_document, as `docvault process` does, with the real tesseract."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from redis import Redis

from bench.handmade import image_pdf
from docvault.core.config import PipelineSettings
from docvault.core.errors import ConfigError, OcrFailed
from docvault.core.jobs import busy_elsewhere, get_queue
from pipeline import parallel
from tests.conftest import corpus
from tests.pipeline import scans
from tests.pipeline.reading import Read, one_thread_per_tesseract, read, settings  # noqa: F401 - fixtures

PHOTOTEST = corpus("tesseract/phototest.gold.txt").read_text().split()


def words_in(text: str) -> set[str]:
    return {w.strip(".,;:!?\"'()").lower() for w in text.split()} - {""}


@pytest.mark.parametrize(("name", "rotation"), [
    ("tesseract/phototest-rotated-R.png", 270),  # turned 90 clockwise: turned back 270
    ("tesseract/phototest-rotated-L.png", 90),
    ("tesseract/phototest-rotated-180.png", 180),
])
def test_turned_page_reads_like_the_upright_one(read: Read, name: str, rotation: int) -> None:
    page = read(name).page_records[0]
    assert page["text"].split() == PHOTOTEST
    assert page["rotation"] == rotation


def test_upright_page_is_read_once_and_not_turned(read: Read) -> None:
    page = read("tesseract/phototest.tif").page_records[0]
    assert page["text"].split() == PHOTOTEST
    assert page["rotation"] == 0 and page["source"] == "ocr" and page["words"] == len(PHOTOTEST)
    assert page["confidence"] > 90


def test_cardinal_pdf_pages_all_read_upright(read: Read) -> None:
    doc = read("ocrmypdf/cardinal.pdf", dpi=100)
    linn = words_in(corpus("ocrmypdf/linn.txt").read_text())
    assert sorted(p["rotation"] for p in doc.page_records) == [0, 90, 180, 270]
    for page in doc.page_records:
        assert len(words_in(page["text"]) & linn) > 0.8 * len(words_in(page["text"]))


def phototest_scan(dpi: int) -> Image.Image:
    return scans.text_page([" ".join(PHOTOTEST[i:i + 8]) for i in range(0, len(PHOTOTEST), 8)], dpi=dpi)


def test_jpeg_scanned_upside_down_is_taken_out_and_turned(read: Read, tmp_path: Path) -> None:
    turned = phototest_scan(200).transpose(Image.Transpose.ROTATE_180)
    page = read(image_pdf(tmp_path / "fed-upside-down.pdf", turned)).page_records[0]
    assert page["dpi"] == 200  # the JPEG's own resolution: taken out (a render is 300 dpi)
    assert page["rotation"] == 180 and page["text"].split() == PHOTOTEST


def test_jpeg_drawn_upside_down_is_read_as_stored(read: Read, tmp_path: Path) -> None:
    """The page's drawing turns the image; taken out, it is read as stored: upright, not
    turned, and upright in the searchable PDF (a /Rotate'd page is rendered instead)."""
    pdf = image_pdf(tmp_path / "drawn-upside-down.pdf", phototest_scan(200),
                         placement="-612 0 0 -792 612 792")
    page = read(pdf).page_records[0]
    assert page["dpi"] == 200
    assert page["rotation"] == 0 and page["text"].split() == PHOTOTEST


@pytest.mark.parametrize("name", [
    "paperless-ngx/simple.png", "paperless-ngx/simple-alpha.png", "paperless-ngx/simple-no-dpi.png",
    "paperless-ngx/simple.jpg", "paperless-ngx/simple.gif", "paperless-ngx/simple.bmp",
    "paperless-ngx/simple.tif",
])
def test_image_formats_read_the_sentence(read: Read, name: str) -> None:
    assert read(name).to_dict()["text"] == "This is a test document."


def test_webp_reads_with_its_date(read: Read) -> None:
    assert "This is a WebP document, created 11/14/2022." in read("paperless-ngx/document.webp").to_dict()["text"]


def test_gray_alpha_image_reads(read: Read) -> None:
    assert read("pytesseract/test_la.png").to_dict()["text"] == "This is test message"


@pytest.mark.parametrize("name", [
    "paperless-ngx/multi-page-images.tiff", "paperless-ngx/multi-page-images-alpha-rgb.tiff",
])
def test_multi_page_tiff_is_a_multi_page_document_with_progress(read: Read, name: str) -> None:
    doc = read(name, page_workers=1)
    assert [f"Page {n}." in p["text"] for n, p in enumerate(doc.page_records, 1)] == [True] * 3
    assert [m for m in read.progress.messages if m.startswith("page ")] == [
        "page 1 of 3", "page 2 of 3", "page 3 of 3"]


def test_two_page_workers_keep_pages_in_order(read: Read) -> None:
    doc = read("paperless-ngx/multi-page-images.pdf", page_workers=2, dpi=150)
    assert [n for n in (1, 2, 3) if f"Page {n}" in doc.page_records[n - 1]["text"]] == [1, 2, 3]


def test_mixed_pdf_reads_text_layer_pages_without_ocr(read: Read) -> None:
    doc = read("paperless-ngx/multi-page-mixed.pdf", dpi=150)
    assert [p["source"] for p in doc.page_records] == ["ocr"] * 3 + ["text-layer"] * 3
    assert [f"Page {n}." in p["text"] for n, p in enumerate(doc.page_records, 1)] == [True] * 6
    assert doc.page_records[3]["confidence"] is None and doc.page_records[3]["words"] == 8


def test_tagged_pdf_without_text_is_ocred(read: Read) -> None:
    (page,) = read("paperless-ngx/tagged-but-no-text.pdf").page_records
    assert page["source"] == "ocr" and page["text"] == "This is a test."


def test_garbage_text_layer_is_replaced_by_ocr(read: Read) -> None:
    (page,) = read("ocrmypdf/cmyk.pdf", dpi=150).page_records
    assert page["source"] == "ocr" and "Black" in page["text"]


@pytest.mark.parametrize("name", ["ocrmypdf/jbig2.pdf", "ocrmypdf/ccitt.pdf"])
def test_bilevel_codecs_read(read: Read, name: str) -> None:
    (page,) = read(name, dpi=150).page_records
    assert "LinnSequencer" in page["text"] and page["confidence"] > 80


def test_palette_pdf_reads_place_names(read: Read) -> None:
    assert "Bokale" in read("ocrmypdf/palette.pdf").to_dict()["text"]


def test_ocr_mode_force_reads_born_digital_pages_with_tesseract(read: Read) -> None:
    (page,) = read("paperless-ngx/simple-digital.pdf", ocr_mode="force").page_records
    assert page["source"] == "ocr" and page["text"] == "This is a test document."


def test_ocr_mode_skip_never_runs_tesseract(read: Read) -> None:
    doc = read("paperless-ngx/multi-page-images.pdf", ocr_mode="skip", tesseract_cmd="/nonexistent")
    assert [p["source"] for p in doc.page_records] == ["text-layer"] * 3


@pytest.mark.parametrize("name", ["ocrmypdf/blank.pdf", "ocrmypdf/trivial.pdf", "ocrmypdf/no_contents.pdf"])
def test_blank_pdf_page_is_marked_blank_and_not_ocred(read: Read, name: str) -> None:
    (page,) = read(name, tesseract_cmd="/nonexistent").page_records
    assert page["blank"] is True and page["text"] == "" and page["confidence"] is None


def scanned_page(tmp_path: Path, name: str, text: str = "", noise: bool = False) -> Path:
    """A Letter page at 300 dpi: near-white with scanner specks and an edge shadow, and
    `text` in 10 pt in the middle."""
    page = Image.new("L", (2550, 3300), 248)
    draw = ImageDraw.Draw(page)
    if noise:
        for n in range(400):  # specks of 2 x 2 pixels
            x, y = (n * 7919) % 2500 + 20, (n * 104729) % 3250 + 20
            draw.rectangle((x, y, x + 1, y + 1), fill=60)
        draw.rectangle((0, 0, 15, 3300), fill=40)
    draw.text((1000, 1600), text, fill=0, font=ImageFont.load_default(size=42))
    path = tmp_path / name
    page.save(path, dpi=(300, 300))
    return path


def test_noisy_empty_backside_is_blank(read: Read, tmp_path: Path) -> None:
    (page,) = read(scanned_page(tmp_path, "back.png", noise=True), tesseract_cmd="/nonexistent").page_records
    assert page["blank"] is True and page["source"] == "blank"


def test_page_with_two_words_is_never_blank(read: Read, tmp_path: Path) -> None:
    (page,) = read(scanned_page(tmp_path, "two.png", "Page 2", noise=True)).page_records
    assert page["blank"] is False and "Page 2" in page["text"]


def test_languages_are_used_and_recorded(read: Read) -> None:
    doc = read("pytesseract/test-european.jpg", languages=("eng", "fra"))
    assert doc.to_dict()["languages"] == ["eng", "fra"]
    assert "La volpe marrone" in doc.to_dict()["text"]


def test_inbox_folder_sets_the_languages() -> None:
    config = settings(languages=("eng",), inbox_languages={"normal/german": "deu", "high": "eng+fra"})
    assert config.for_task("normal", "german/2024").languages == ("deu",)
    assert config.for_task("high", None).languages == ("eng", "fra")
    assert config.for_task("normal", "english").languages == ("eng",)
    assert config.for_task("normal", "german/2024", "ita+eng").languages == ("ita", "eng")  # the file's own


def test_missing_language_is_a_config_error_not_a_retry(read: Read) -> None:
    with pytest.raises(ConfigError, match="no language data for 'xyz'") as info:
        read("paperless-ngx/simple.png", languages=("xyz",))
    assert not info.value.transient


def test_page_that_takes_too_long_fails_with_the_setting(read: Read, tmp_path: Path) -> None:
    slow = tmp_path / "slow-tesseract"  # an error path: a tesseract that hangs
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(OcrFailed, match=r"longer than 1 s.*pipeline.page_timeout_seconds") as info:
        read("paperless-ngx/simple.png", tesseract_cmd=str(slow), page_timeout_seconds=1)
    assert info.value.transient


def test_auto_page_workers_leave_cores_to_queued_tasks(conn: Redis) -> None:
    auto = PipelineSettings(page_workers=0)
    cores = os.cpu_count() or 1
    assert parallel.worker_count(auto, busy_elsewhere(conn), pages=40) == cores
    for n in range(cores):
        get_queue(conn, "normal").enqueue("pipeline.job.run", f"waiting-{n}")
    assert parallel.worker_count(auto, busy_elsewhere(conn), pages=40) == 1
    assert parallel.worker_count(PipelineSettings(page_workers=3), 5, pages=2) == 2
