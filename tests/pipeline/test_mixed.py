"""pipeline/mixed.py through the flow: a page with a text layer and a picture of text is
read whole, in reading order, no word twice."""

from __future__ import annotations

import subprocess

from tests.conftest import Configure
from tests.pipeline.test_output import process

SENTENCES = ["This is some normal text, present on page 1 of the document.",  # text layer
             "This is some text, but in an image, also on page 1.",  # the picture
             "This is further text on page 1."]  # text layer


def test_text_layer_and_picture_of_text_read_in_order(make_config: Configure) -> None:
    config = make_config()
    record = process(config, "paperless-ngx/single-page-mixed.pdf")
    first, second = record["pages"]
    assert first["source"] == "mixed" and second["source"] == "text-layer"
    assert first["text"].split() == " ".join(SENTENCES).split()  # CER 0: every word once, in order
    searchable = config.paths.outbox / record["outputs"]["pdf"]
    layer = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(searchable), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert layer.split() == " ".join(SENTENCES).split()  # the PDF's text: the picture's words added once


def test_scan_ocred_before_is_not_read_again(make_config: Configure) -> None:
    """multipage.pdf page 4 is a scan with its own OCR layer over the image: the layer's
    words cover the picture, so it stays a text-layer page."""
    config = make_config(pipeline={"dpi": 100})
    record = process(config, "ocrmypdf/multipage.pdf")
    assert record["pages"][3]["source"] == "text-layer"
