"""pipeline/pages.py (with docvault/core/pdfinfo.py and textlayer.py): what is rendered, at what size,
and which files fail before anything is rendered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from bench.handmade import image_pdf
from bench.pipeline_bench import cer
from docvault.core.errors import CorruptFile, EncryptedPdf, LimitExceeded
from pipeline import blank, ocr, pages, textlayer
from pipeline.detect import detect_kind
from tests.conftest import REPO, corpus
from tests.pipeline import scans
from tests.pipeline.reading import settings


def render(path: Path, number: int, out: Path, **changes: object) -> pages.Page:
    config = settings(**changes)
    info = pages.inspect(path, detect_kind(path), config)
    return pages.render_page(path, info, number, out, config)


def test_decompression_bomb_fails_before_rendering(tmp_path: Path) -> None:
    with pytest.raises(LimitExceeded, match=r"1,225 million pixels.*pipeline.max_megapixels"):
        render(corpus("ocrmypdf/hugemono.pdf"), 1, tmp_path)
    assert not list(tmp_path.iterdir())  # nothing rendered


def test_decompression_bomb_costs_no_memory() -> None:
    """In a fresh process: the poppler children that refused it stayed small (decoding
    the 1.2-gigapixel image would take 150 MB at 1 bit, 1.2 GB at 8)."""
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from docvault.core.config import PipelineSettings\n"
        "from docvault.core.errors import LimitExceeded\n"
        "from pipeline import pages\n"
        "from pipeline.detect import Kind\n"
        "try:\n"
        "    pages.inspect(Path(sys.argv[1]), Kind.PDF, PipelineSettings())\n"
        "except LimitExceeded:\n"
        "    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(corpus("ocrmypdf/hugemono.pdf"))],
                         capture_output=True, text=True, check=True, cwd=REPO).stdout
    # A forked child counts the parent's resident pages until it execs: Python with
    # Pillow and pikepdf loaded is about 33 MB of it.
    assert 0 < int(out) < 48 * 1024  # KiB


def test_too_many_pages_fails_naming_the_limit(tmp_path: Path) -> None:
    with pytest.raises(LimitExceeded, match=r"has 3 pages; the limit is 2 \(pipeline.max_pages\)"):
        render(corpus("paperless-ngx/multi-page-digital.pdf"), 1, tmp_path, max_pages=2)


def test_oversized_page_is_rendered_at_the_dpi_that_fits(tmp_path: Path) -> None:
    page = render(corpus("ocrmypdf/poster.pdf"), 1, tmp_path, max_megapixels=20, ocr_mode="force")
    with Image.open(page.image) as img:
        assert img.width * img.height <= 20e6
    assert page.dpi == 126  # 25 x 50 inches


def test_page_too_large_even_at_100_dpi_fails(tmp_path: Path) -> None:
    with pytest.raises(LimitExceeded, match="25 x 50 inches"):
        render(corpus("ocrmypdf/poster.pdf"), 1, tmp_path, max_megapixels=10, ocr_mode="force")


@pytest.mark.parametrize("name", ["paperless-ngx/encrypted.pdf", "ocrmypdf/skew-encrypted.pdf"])
def test_pdf_with_a_password_fails_as_password_protected(name: str, tmp_path: Path) -> None:
    with pytest.raises(EncryptedPdf, match="password-protected") as info:
        render(corpus(name), 1, tmp_path)
    assert not info.value.transient


def test_encrypted_pdf_with_empty_password_opens(tmp_path: Path) -> None:
    page = render(corpus("paperless-ngx/signed.pdf"), 1, tmp_path)
    assert "digitally signed PDF" in page.text_layer


def test_truncated_pdf_fails_as_damaged(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(corpus("paperless-ngx/multi-page-images.pdf").read_bytes()[:60000])
    with pytest.raises(CorruptFile, match="damaged or cut short"):
        render(cut, 1, tmp_path)


def test_pdf_without_objects_fails_as_damaged(tmp_path: Path) -> None:
    with pytest.raises(CorruptFile, match="invalid.pdf is damaged"):
        render(corpus("ocrmypdf/invalid.pdf"), 1, tmp_path)


def test_pdf_with_no_pages_fails_saying_so(tmp_path: Path) -> None:
    empty = tmp_path / "zero-pages.pdf"  # ours: the corpus has no valid zero-page PDF
    empty.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                      b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
                      b"trailer << /Root 1 0 R >>\n%%EOF\n")
    with pytest.raises(CorruptFile, match="zero-pages.pdf has no pages"):
        render(empty, 1, tmp_path)


def test_garbage_text_objects_are_not_a_text_layer() -> None:
    garbage = textlayer.read(corpus("ocrmypdf/cmyk.pdf"), 1, 30)
    assert sum(ch.isalnum() for ch in garbage) > 20  # a naive check would say "has text"
    assert not textlayer.is_real_text(garbage)
    assert textlayer.is_real_text(textlayer.read(corpus("paperless-ngx/multi-page-digital.pdf"), 1, 30))


@pytest.mark.parametrize("name", ["paperless-ngx/multi-page-mixed.pdf", "ocrmypdf/cmyk.pdf"])
def test_text_layers_read_in_one_run_match_page_by_page(name: str) -> None:
    path = corpus(name)
    count = pages.inspect(path, detect_kind(path), settings()).page_count
    together = textlayer.read_all(path, count, 30)
    assert together == tuple(textlayer.read(path, n, 30) for n in range(1, count + 1))
    assert together is not None and any(together)


def test_text_layers_are_not_split_wrong_when_the_count_differs() -> None:
    assert textlayer.read_all(corpus("paperless-ngx/multi-page-mixed.pdf"), 5, 30) is None


def test_short_text_counts_only_on_a_page_without_images(tmp_path: Path) -> None:
    short = render(corpus("paperless-ngx/simple-digital.pdf"), 1, tmp_path)
    assert short.text_layer == "This is a test document." and short.image is None


@pytest.mark.parametrize("name", ["paperless-ngx/tagged-but-no-text.pdf", "ocrmypdf/cmyk.pdf"])
def test_page_without_real_text_is_rendered_for_ocr(name: str, tmp_path: Path) -> None:
    page = render(corpus(name), 1, tmp_path)
    assert page.image is not None and page.text_layer is None


def test_rotate_tagged_page_is_rendered_as_displayed(tmp_path: Path) -> None:
    page = render(corpus("ocrmypdf/rotated_skew.pdf"), 1, tmp_path, dpi=50)
    with Image.open(page.image) as img:
        assert img.height > img.width  # landscape MediaBox, /Rotate 90: a portrait page


@pytest.mark.parametrize("name", [
    "ocrmypdf/jbig2.pdf", "ocrmypdf/ccitt.pdf", "ocrmypdf/lichtenstein.pdf",  # JPEG 2000
    "ocrmypdf/palette.pdf", "ocrmypdf/cmyk.pdf",
])
def test_image_codecs_in_pdfs_render_to_gray_pages(name: str, tmp_path: Path) -> None:
    page = render(corpus(name), 1, tmp_path, dpi=100)
    with Image.open(page.image) as img:
        assert img.mode == "L"
        low, high = img.getextrema()
    assert high - low > 100  # a picture, not an empty page


def sixteen_bit(tmp_path: Path) -> Path:
    path = tmp_path / "sixteen.png"
    with Image.open(corpus("paperless-ngx/simple.png")) as img:
        img.convert("L").convert("I").point(lambda v: v * 256).convert("I;16").save(path)
    return path


@pytest.mark.parametrize(("name", "mode"), [
    ("paperless-ngx/simple-alpha.png", "L"),  # RGBA
    ("pytesseract/test_la.png", "L"),  # gray + alpha
    ("ocrmypdf/baiona_colormapped.png", "L"),  # palette
    ("ocrmypdf/baiona_cmyk.jpg", "L"),  # CMYK without ICC profile
    ("tesseract/phototest.tif", "1"),  # 1-bit stays 1-bit
])
def test_image_modes_become_8_bit_gray(name: str, mode: str, tmp_path: Path) -> None:
    page = render(corpus(name), 1, tmp_path)
    with Image.open(page.image) as img:
        assert img.mode == mode


def test_cmyk_jpeg_is_not_inverted(tmp_path: Path) -> None:
    def brightness(name: str, out: Path) -> float:
        with Image.open(render(corpus(name), 1, out).image) as img:
            return ImageStat.Stat(img.convert("L")).mean[0]

    cmyk = brightness("ocrmypdf/baiona_cmyk.jpg", tmp_path / "cmyk")
    rgb = brightness("ocrmypdf/baiona_color.jpg", tmp_path / "rgb")
    assert abs(cmyk - rgb) < 20


def test_sixteen_bit_image_keeps_its_tones(tmp_path: Path) -> None:
    page = render(sixteen_bit(tmp_path), 1, tmp_path / "out")
    with Image.open(page.image) as img, Image.open(corpus("paperless-ngx/simple.png")) as orig:
        assert img.mode == "L"
        assert abs(ImageStat.Stat(img).mean[0] - ImageStat.Stat(orig.convert("L")).mean[0]) < 2


@pytest.mark.parametrize(("name", "dpi", "assumed"), [
    ("paperless-ngx/simple.png", 72, False),
    ("paperless-ngx/simple-no-dpi.png", 300, True),  # a strip: 300
    ("paperless-ngx/document.webp", 206, True),  # 1700 x 2200, a Letter page at 206 dpi
])
def test_dpi_is_read_or_assumed_and_says_which(name: str, dpi: int, assumed: bool, tmp_path: Path) -> None:
    page = render(corpus(name), 1, tmp_path)
    assert (page.dpi, page.dpi_assumed) == (dpi, assumed)


def test_multi_page_tiff_pages_are_rendered_one_by_one(tmp_path: Path) -> None:
    path = corpus("paperless-ngx/multi-page-images.tiff")
    config = settings()
    info = pages.inspect(path, detect_kind(path), config)
    assert info.page_count == 3
    third = pages.render_page(path, info, 3, tmp_path, config)
    assert [p.name for p in tmp_path.iterdir()] == [third.image.name]


def test_scanned_jpeg_page_is_taken_out_not_rendered(tmp_path: Path) -> None:
    page = render(corpus("paperless-ngx/multi-page-images.pdf"), 2, tmp_path)
    assert page.image is not None and page.image.suffix == ".jpg"
    with Image.open(page.image) as img:  # the scanner's JPEG at its own resolution
        assert (img.format, img.mode, img.size) == ("JPEG", "L", (1700, 2200))
    assert page.dpi == 206 and not page.dpi_assumed
    assert [p.name for p in tmp_path.iterdir()] == ["page-0002.jpg"]


def test_colour_jpeg_page_is_taken_out_in_colour(tmp_path: Path) -> None:
    pdf = image_pdf(tmp_path / "colour.pdf", scans.text_page(["Blue ink"], dpi=100, mode="RGB"))
    page = render(pdf, 1, tmp_path / "pages")
    with Image.open(page.image) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (850, 1100))
    assert page.dpi == 100


SIDEWAYS = "0 612 -792 0 792 0"  # a portrait image drawn turned onto a landscape page


@pytest.mark.parametrize(("why", "changes"), [
    ("placed sideways", {"placement": SIDEWAYS, "page_pt": (792, 612)}),
    ("on a quarter of the page", {"placement": "306 0 0 396 0 396", "size_dpi": 50}),
    ("text beside it", {"text": "Page 1"}),  # too little to be a text layer; OCR reads it
])
def test_page_that_is_not_just_one_upright_image_is_rendered(why: str, changes: dict, tmp_path: Path) -> None:
    image = scans.text_page(["Not taken out"], dpi=changes.pop("size_dpi", 100))
    pdf = image_pdf(tmp_path / "scan.pdf", image, **changes)
    page = render(pdf, 1, tmp_path / "pages")
    assert page.image is not None and page.image.suffix == ".tif" and not page.stored, why  # rendered
    assert page.dpi == 300


@pytest.mark.parametrize(("name", "dpi"), [
    ("ocrmypdf/c02-22.pdf", 300),  # ICC colour: rendered to gray
    ("ocrmypdf/cmyk.pdf", 300),  # CMYK, several images
    ("ocrmypdf/francais.pdf", 150),  # a 300 ppi JPEG, pipeline.dpi 150: rendered down to it
])
def test_jpeg_pages_that_need_poppler_are_rendered(name: str, dpi: int, tmp_path: Path) -> None:
    page = render(corpus(name), 1, tmp_path, dpi=dpi, ocr_mode="force")
    assert page.image is not None and page.image.suffix == ".tif" and not page.stored  # rendered
    assert page.dpi == dpi


def test_jpeg_blank_page_is_blank_and_one_word_is_not(tmp_path: Path) -> None:
    empty = image_pdf(tmp_path / "empty.pdf", scans.text_page([]))
    word = image_pdf(tmp_path / "word.pdf", scans.text_page(["Yes"]))
    for pdf, is_blank in ((empty, True), (word, False)):
        page = render(pdf, 1, tmp_path / pdf.stem)
        assert page.image.suffix == ".jpg"  # the blank check reads the JPEG itself
        assert blank.is_blank(page.image, page.dpi) is is_blank


ENCODINGS = [("jpeg", "L"), ("jpeg", "RGB"), ("flate", "L"), ("flate", "RGB"), ("flate", "1"), ("g4", "1")]
KNOWN = ["Invoice number 4711 for the water bill", "Total amount due by the end of the month"]


@pytest.mark.parametrize(("encoding", "mode"), ENCODINGS)
def test_scanned_page_is_taken_out_at_its_own_depth(encoding: str, mode: str, tmp_path: Path) -> None:
    pdf = image_pdf(tmp_path / "scan.pdf", scans.text_page(["Taken out"], dpi=100, mode=mode), encoding=encoding)
    page = render(pdf, 1, tmp_path / "pages")
    # a JPEG as it is; 8-bit Flate inflated by pipeline.flate; the others by pdfimages; none rendered
    expected_format = "JPEG" if encoding == "jpeg" else "TIFF"
    with Image.open(page.image) as img:
        assert (img.format, img.mode, img.size) == (expected_format, mode, (850, 1100))
    assert page.dpi == 100 and page.stored
    assert [p.name for p in (tmp_path / "pages").iterdir()] == [page.image.name]


@pytest.mark.parametrize("name", ["ocrmypdf/ccitt.pdf", "ocrmypdf/epson.pdf", "ocrmypdf/jbig2.pdf"])
def test_fax_and_jbig2_scans_are_taken_out_one_bit(name: str, tmp_path: Path) -> None:
    page = render(corpus(name), 1, tmp_path)
    with Image.open(page.image) as img:
        assert (img.format, img.mode) == ("TIFF", "1")
    assert page.dpi == 300


def test_rotate_tagged_scan_is_taken_out_turned_as_displayed(tmp_path: Path) -> None:
    """A scanner that stores the page sideways and sets /Rotate 90 to show it upright."""
    stored = scans.text_page(KNOWN, dpi=100).transpose(Image.Transpose.ROTATE_90)
    pdf = image_pdf(tmp_path / "scan.pdf", stored, encoding="flate", page_pt=(792, 612), rotate=90)
    page = render(pdf, 1, tmp_path / "pages")
    assert page.image.name == "page-0001.r90.tif"  # taken out, then turned (a render: page-0001.tif)
    with Image.open(page.image) as img:
        assert img.size == (850, 1100)  # portrait, as displayed


def read_both(path: Path, out: Path, number: int = 1) -> tuple[str, str]:
    """The page's text read from its image taken out, and from the page rendered at the
    same resolution, as every page was before."""
    config = settings()
    info = pages.inspect(path, detect_kind(path), config)
    taken = pages.render_page(path, info, number, out, config)
    assert taken.image is not None and taken.image.suffix in pages.IMAGE_SUFFIXES
    rendered = pages.render(path, info.pdf.pages[number - 1], taken.dpi, out / "rendered", config.page_timeout_seconds)
    return (ocr.read_page(taken, config).text,
            ocr.read_page(pages.Page(number, rendered, None, taken.dpi), config).text)


@pytest.mark.parametrize(("encoding", "mode"), ENCODINGS)
def test_taken_out_page_reads_as_the_rendered_page(encoding: str, mode: str, tmp_path: Path) -> None:
    pdf = image_pdf(tmp_path / "scan.pdf", scans.text_page(KNOWN, dpi=200, mode=mode), encoding=encoding)
    taken, rendered = read_both(pdf, tmp_path / "pages")
    assert taken == rendered and taken.split() == " ".join(KNOWN).split()


def test_rotate_tagged_scan_reads_as_the_rendered_page(tmp_path: Path) -> None:
    stored = scans.text_page(KNOWN, dpi=200, mode="1").transpose(Image.Transpose.ROTATE_90)
    pdf = image_pdf(tmp_path / "scan.pdf", stored, encoding="g4", page_pt=(792, 612), rotate=90)
    taken, rendered = read_both(pdf, tmp_path / "pages")
    assert taken == rendered and taken.split() == " ".join(KNOWN).split()


@pytest.mark.parametrize("name", ["ocrmypdf/ccitt.pdf", "ocrmypdf/jbig2.pdf"])
def test_real_fax_and_jbig2_scans_read_as_their_renders(name: str, tmp_path: Path) -> None:
    """poppler's render of a 1-bit image moves some pixels at letter edges (it is not the
    image, pixel for pixel), so a few characters in a page of thousands may differ."""
    taken, rendered = read_both(corpus(name), tmp_path)
    assert len(taken) > 2000
    assert cer(rendered, taken) <= 0.01
