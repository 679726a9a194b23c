"""pipeline/pdfa.py: the searchable PDF is PDF/A-2b by default. No PDF/A validator
installs from the registries this project uses (veraPDF is Java, in none of them), so
each requirement the pipeline takes care of is checked here on its own."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf
import pytest

from bench.handmade import image_pdf
from docvault.core.config import Config
from tests.conftest import Configure, corpus
from tests.pipeline import scans
from tests.pipeline.test_output import process

NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "pdf": "http://ns.adobe.com/pdf/1.3/",
      "xmp": "http://ns.adobe.com/xap/1.0/", "dc": "http://purl.org/dc/elements/1.1/"}


def searchable(config: Config, source: str | Path) -> tuple[Path, dict]:
    record = process(config, source)
    return config.paths.outbox / record["outputs"]["pdf"], record


def xmp(doc: pikepdf.Pdf) -> ET.Element:
    metadata = doc.Root.Metadata
    assert metadata.Type == pikepdf.Name.Metadata and metadata.Subtype == pikepdf.Name("/XML")
    assert "/Filter" not in metadata  # PDF/A: the XMP stream is not compressed
    return ET.fromstring(metadata.read_bytes())


@pytest.fixture(scope="module")
def titled_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scan with a title, an author and a creation date in its document info."""
    target = tmp_path_factory.mktemp("titled") / "titled-scan.pdf"
    with pikepdf.open(corpus("paperless-ngx/tagged-but-no-text.pdf")) as doc:
        doc.docinfo["/Title"] = "Électricité & <Gas> bill"
        doc.docinfo["/Author"] = "Jane Doe"
        doc.docinfo["/CreationDate"] = "D:20240131120000+01'00'"
        doc.save(target)
    return target


def test_scan_becomes_pdfa_2b(make_config: Configure, titled_scan: Path) -> None:
    output, record = searchable(make_config(pipeline={"dpi": 150}), titled_scan)
    assert record["outputs"]["pdf_type"] == "pdfa-2b"
    head = output.read_bytes()[:32]
    assert re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", head), head  # header, binary comment
    with pikepdf.open(output) as doc:
        assert not doc.is_encrypted
        assert len(doc.trailer.ID) == 2
        description = xmp(doc).find(".//rdf:Description", NS)
        assert description.findtext("pdfaid:part", namespaces=NS) == "2"
        assert description.findtext("pdfaid:conformance", namespaces=NS) == "B"
        # the document info and the XMP say the same
        info = doc.docinfo
        assert description.findtext("dc:title/rdf:Alt/rdf:li", namespaces=NS) == str(info.Title) \
            == "Électricité & <Gas> bill"
        assert description.findtext("dc:creator/rdf:Seq/rdf:li", namespaces=NS) == str(info.Author) == "Jane Doe"
        assert description.findtext("pdf:Producer", namespaces=NS) == str(info.Producer)
        assert description.findtext("xmp:CreateDate", namespaces=NS) == "2024-01-31T12:00:00+01:00"
        assert str(info.CreationDate) == "D:20240131120000+01'00'"
        modified = description.findtext("xmp:ModifyDate", namespaces=NS)
        assert re.sub(r"[-:T]", "", modified)[:14] == str(info.ModDate)[2:16]
        # the sRGB output intent
        [intent] = doc.Root.OutputIntents
        assert intent.S == pikepdf.Name("/GTS_PDFA1")
        profile = intent.DestOutputProfile
        assert profile.N == 3
        icc = profile.read_bytes()
        assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB "
        # what was added draws nothing and is not transparent
        form = doc.pages[0].obj.Resources.XObject["/OCR0"]
        assert set(form.Resources.keys()) == {"/Font"} and "/Group" not in form
        assert b" 3 Tr" in form.read_bytes() or b"\n3 Tr" in form.read_bytes()
    fonts = subprocess.run(["pdffonts", str(output)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # every font embedded


def test_original_with_fonts_not_embedded_stays_plain_pdf(make_config: Configure, tmp_path: Path) -> None:
    """A scan with a page number in Helvetica (not embedded): PDF/A would need the font
    embedded, so the file is written as plain PDF and says so."""
    page = scans.text_page(["The invoice is paid in full", "Thank you for your order"], dpi=150)
    source = image_pdf(tmp_path / "stamped.pdf", page, text="p. 1")
    output, record = searchable(make_config(pipeline={"dpi": 150}), source)
    assert record["outputs"]["pdf_type"] == "pdf"
    assert "invoice is paid" in subprocess.run(["pdftotext", str(output), "-"], capture_output=True,
                                               text=True, check=True).stdout
    with pikepdf.open(output) as doc:
        assert "/OutputIntents" not in doc.Root
        assert b"pdfaid" not in (doc.Root.Metadata.read_bytes() if "/Metadata" in doc.Root else b"")


def test_pdf_type_pdf_adds_nothing_but_the_text(make_config: Configure) -> None:
    output, record = searchable(make_config(pipeline={"dpi": 150}, output={"pdf_type": "pdf"}),
                                "paperless-ngx/tagged-but-no-text.pdf")
    assert record["outputs"]["pdf_type"] == "pdf"
    with pikepdf.open(output) as doc, pikepdf.open(corpus("paperless-ngx/tagged-but-no-text.pdf")) as before:
        assert "/OutputIntents" not in doc.Root
        assert doc.Root.Metadata.read_bytes() == before.Root.Metadata.read_bytes()  # its own XMP, kept


def test_form_annotations_and_info_are_kept(make_config: Configure) -> None:
    """acroform.pdf: a scan with a fillable check box; the field, its widget and the
    document info come through, and the file is still PDF/A (the widget prints and has
    its appearance)."""
    output, record = searchable(make_config(pipeline={"dpi": 150}), "ocrmypdf/acroform.pdf")
    assert record["outputs"]["pdf_type"] == "pdfa-2b"
    with pikepdf.open(corpus("ocrmypdf/acroform.pdf")) as before, pikepdf.open(output) as after:
        assert [str(f.T) for f in after.Root.AcroForm.Fields] == [str(f.T) for f in before.Root.AcroForm.Fields]
        assert len(after.pages[0].obj.Annots) == len(before.pages[0].obj.Annots)
        assert str(after.docinfo.Creator) == str(before.docinfo.Creator)


def test_what_pdfa_forbids_is_found() -> None:
    """pdfa.obstacles on a scan (nothing) and on the same scan given, one at a time,
    what PDF/A-2b forbids and only re-encoding or removing content could fix."""
    from pipeline import pdfa

    def scan() -> pikepdf.Pdf:
        return pikepdf.open(corpus("paperless-ngx/tagged-but-no-text.pdf"))

    with scan() as doc:
        assert pdfa.obstacles(doc) == []
    with scan() as doc:
        doc.pages[0].obj.Annots = pikepdf.Array([doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10], F=2))])
        assert pdfa.obstacles(doc) == ["page 1: a Text annotation that does not print",
                                       "page 1: a Text annotation without an appearance"]
    with scan() as doc:
        doc.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        assert pdfa.obstacles(doc) == ["it runs actions when opened"]
    with scan() as doc:
        [image] = [doc.pages[0].obj.Resources.XObject[k] for k in doc.pages[0].obj.Resources.XObject.keys()]
        image.ColorSpace = pikepdf.Name.DeviceCMYK
        assert pdfa.obstacles(doc) == ["page 1: an image is in DeviceCMYK colour"]
    with scan() as doc:
        doc.Root.AcroForm = pikepdf.Dictionary(Fields=[], NeedAppearances=True)
        assert pdfa.obstacles(doc) == ["its form fields have no appearance of their own"]
