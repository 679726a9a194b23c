"""pipeline.takeout: a scan's image taken out of its PDF as stored (JPEG, G4, 8-bit
Flate), or left to pdfimages when it is anything else."""

from __future__ import annotations

import subprocess
import tracemalloc
import zlib
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from PIL import Image, ImageDraw
from pikepdf import Name

from bench.handmade import image_pdf
from pipeline import takeout
from tests.conftest import corpus


def scan(mode: str = "L") -> Image.Image:
    image = Image.new(mode, (300, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "Rechnung 2024-117", fill="black")
    return image


def test_plain_flate_gray_is_inflated_into_a_tiff_with_the_same_pixels(tmp_path: Path) -> None:
    original = scan()
    pdf = image_pdf(tmp_path / "gray.pdf", original, encoding="flate")
    taken = takeout.take_out(pdf, 1, tmp_path / "page-0001")
    assert taken is not None and taken.suffix == ".tif"
    with Image.open(taken) as image:
        assert (image.format, image.mode) == ("TIFF", "L") and image.tobytes() == original.tobytes()
        assert image.info.get("compression", "raw") == "raw"  # nothing to decode for tesseract


def test_plain_flate_rgb_becomes_an_rgb_tiff(tmp_path: Path) -> None:
    original = scan("RGB")
    pdf = image_pdf(tmp_path / "rgb.pdf", original, encoding="flate")
    taken = takeout.take_out(pdf, 1, tmp_path / "page-0001")
    assert taken is not None and taken.suffix == ".tif"
    with Image.open(taken) as image:
        assert image.mode == "RGB" and image.tobytes() == original.tobytes()


def test_png_predicted_stream_is_decoded_once_into_an_uncompressed_tiff(tmp_path: Path) -> None:
    """img2pdf stores a PNG's image data as it is, with /Predictor 15: decoded as a PNG,
    it gives the same pixels, in a file tesseract and the blank check read undecoded."""
    original = scan()
    png = tmp_path / "scan.png"
    original.save(png, dpi=(300, 300))
    pdf = tmp_path / "img2pdf.pdf"
    pdf.write_bytes(img2pdf.convert(str(png)))
    with pikepdf.open(pdf) as doc:
        (stream,) = [doc.pages[0].Resources.XObject[k] for k in doc.pages[0].Resources.XObject.keys()]
        assert int(stream.DecodeParms.Predictor) >= 10  # the case this test is about
    taken = takeout.take_out(pdf, 1, tmp_path / "page-0001")
    assert taken is not None and taken.suffix == ".tif"
    with Image.open(taken) as image:
        assert image.info.get("compression", "raw") == "raw" and image.tobytes() == original.tobytes()


def test_a_png_predicted_stream_that_does_not_decode_is_left_to_pdfimages(tmp_path: Path) -> None:
    pdf = tmp_path / "img2pdf.pdf"
    scan().save(tmp_path / "scan.png")
    pdf.write_bytes(img2pdf.convert(str(tmp_path / "scan.png")))
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:
        (stream,) = [doc.pages[0].Resources.XObject[k] for k in doc.pages[0].Resources.XObject.keys()]
        stream.write(zlib.compress(b"\x07" * 500), filter=Name.FlateDecode,
                     decode_parms=pikepdf.Dictionary(stream.DecodeParms))  # filter type 7 does not exist
        doc.save(pdf)
    assert takeout.take_out(pdf, 1, tmp_path / "page-0001") is None
    assert not list(tmp_path.glob("page-0001*"))


def poppler_pixels(pdf: Path, tmp_path: Path) -> bytes:
    """The page's image as pdfimages decodes it, in 8-bit gray."""
    subprocess.run(["pdfimages", "-tiff", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "poppler")], check=True)
    (written,) = tmp_path.glob("poppler-*")
    with Image.open(written) as image:
        return image.convert("L").tobytes()


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_a_jpeg_is_copied_as_it_is(tmp_path: Path, mode: str) -> None:
    pdf = image_pdf(tmp_path / "scan.pdf", scan(mode), encoding="jpeg")
    taken = takeout.take_out(pdf, 1, tmp_path / "page-0001")
    assert taken is not None and taken.suffix == ".jpg"
    with pikepdf.open(pdf) as doc:
        (stream,) = [doc.pages[0].Resources.XObject[k] for k in doc.pages[0].Resources.XObject.keys()]
        assert taken.read_bytes() == stream.read_raw_bytes()
    with Image.open(taken) as image:
        assert image.format == "JPEG" and image.mode == mode


@pytest.mark.parametrize("source", ["made", "corpus"])
def test_a_g4_image_becomes_a_g4_tiff_with_poppler_s_pixels(tmp_path: Path, source: str) -> None:
    """Unopened: the stream is the TIFF's strip. Both /BlackIs1 readings (the bench's scans
    say true, tiff2pdf's ccitt.pdf false) give the pixels poppler decodes."""
    if source == "made":
        pdf = image_pdf(tmp_path / "g4.pdf", scan().point(lambda v: 255 if v > 128 else 0).convert("1"),
                        encoding="g4")
    else:
        pdf = corpus("ocrmypdf/ccitt.pdf")
    taken = takeout.take_out(pdf, 1, tmp_path / "page-0001")
    assert taken is not None and taken.suffix == ".tif"
    with Image.open(taken) as image:
        assert image.info["compression"] == "group4" and image.mode == "1"
        assert image.convert("L").tobytes() == poppler_pixels(pdf, tmp_path)


def test_jbig2_is_left_to_pdfimages(tmp_path: Path) -> None:
    assert takeout.take_out(corpus("ocrmypdf/jbig2.pdf"), 1, tmp_path / "page-0001") is None


def _edited_g4(tmp_path: Path, params: dict) -> Path:
    pdf = image_pdf(tmp_path / "base.pdf", scan().convert("1"), encoding="g4")
    with pikepdf.open(pdf) as doc:
        xobjects = doc.pages[0].Resources.XObject
        image = xobjects[list(xobjects.keys())[0]]
        for key, value in params.items():
            image.DecodeParms[key] = value
        doc.save(tmp_path / "edited.pdf")
    return tmp_path / "edited.pdf"


@pytest.mark.parametrize("params", [{"/K": 0}, {"/Columns": 1728}, {"/EncodedByteAlign": True}],
                         ids=["group-3", "other-width", "byte-aligned"])
def test_a_fax_image_of_another_kind_is_left_to_pdfimages(tmp_path: Path, params: dict) -> None:
    assert takeout.take_out(_edited_g4(tmp_path, params), 1, tmp_path / "page-0001") is None


def _edited(tmp_path: Path, change) -> Path:  # noqa: ANN001 - a function of the image stream
    pdf = image_pdf(tmp_path / "base.pdf", scan(), encoding="flate")
    with pikepdf.open(pdf) as doc:
        xobjects = doc.pages[0].Resources.XObject
        change(doc, xobjects[list(xobjects.keys())[0]])
        doc.save(tmp_path / "edited.pdf")
    return tmp_path / "edited.pdf"


@pytest.mark.parametrize("change", [
    lambda doc, image: setattr(image, "Decode", pikepdf.Array([1, 0])),  # inverted: poppler applies it
    lambda doc, image: setattr(image, "ColorSpace", Name.DeviceCMYK),
    lambda doc, image: image.write(zlib.compress(b"\x00" * 100), filter=Name.FlateDecode),  # too short
    lambda doc, image: image.write(b"not deflate at all", filter=Name.FlateDecode),
    lambda doc, image: delattr(image, "Width"),  # a damaged dictionary
], ids=["decode-array", "cmyk", "short-stream", "corrupt-stream", "no-width"])
def test_anything_else_is_left_to_pdfimages(tmp_path: Path, change) -> None:  # noqa: ANN001
    pdf = _edited(tmp_path, change)
    assert takeout.take_out(pdf, 1, tmp_path / "page-0001") is None
    assert not list(tmp_path.glob("page-0001*"))


def test_a_file_that_is_not_a_pdf_is_declined(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnothing here")
    assert takeout.take_out(broken, 1, tmp_path / "page-0001") is None


def test_inflating_holds_a_chunk_not_the_page(tmp_path: Path) -> None:
    """A 12 MB RGB page is written a chunk at a time: two pages read at once must not
    hold two whole pages in the worker's memory."""
    page = Image.new("RGB", (2000, 2000), "white")
    pdf = image_pdf(tmp_path / "big.pdf", page, encoding="flate", page_pt=(480, 480))
    tracemalloc.start()
    try:
        taken = takeout.take_out(pdf, 1, tmp_path / "page-0001")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert taken is not None and taken.stat().st_size > 12_000_000
    assert peak < 4 * takeout.CHUNK, f"{peak:,} bytes held at once"
