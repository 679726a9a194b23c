"""pipeline/output.py through pipeline.process.process_task: what lands in the outbox."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from bench.handmade import image_pdf
from docvault.core.config import Config
from docvault.core.task import new_task_id
from ingest import spool
from pipeline.process import process_task
from tests.conftest import Configure, corpus
from tests.pipeline import scans
from tests.pipeline.reading import RecordedProgress, one_thread_per_tesseract  # noqa: F401 - fixture


def process(config: Config, name: str | Path, priority: str = "normal") -> dict:
    """Claim a copy of a corpus file (or of a file made by the test) as the watcher would
    and run the task's stages."""
    source = name if isinstance(name, Path) else corpus(name)
    dropped = config.paths.inbox / priority / source.name
    dropped.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, dropped)
    task = spool.start_claim(dropped, new_task_id(), priority, config.paths.tasks)
    task = spool.finish_claim(task, config.paths.tasks)
    return process_task(task, config, RecordedProgress(task.name)).to_dict()


def pdf_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def test_scan_gets_a_searchable_pdf_txt_and_json(make_config: Configure) -> None:
    config = make_config()
    record = process(config, "paperless-ngx/tagged-but-no-text.pdf")
    outbox = config.paths.outbox
    searchable = outbox / "tagged-but-no-text.ocr.pdf"
    assert "This is a test." in pdf_text(searchable, 1)
    assert (outbox / "tagged-but-no-text.txt").read_text() == "This is a test."
    sidecar = json.loads((outbox / "tagged-but-no-text.json").read_text())
    assert sidecar["pages"][0]["source"] == "ocr" and sidecar["languages"] == ["eng"]
    assert sidecar["outputs"]["pdf"] == searchable.name
    assert record["outputs"]["original"].endswith("tagged-but-no-text.pdf")


def test_mixed_pdf_output_keeps_every_page_in_order(make_config: Configure) -> None:
    config = make_config(pipeline={"dpi": 150})
    process(config, "paperless-ngx/multi-page-mixed.pdf")
    searchable = config.paths.outbox / "multi-page-mixed.ocr.pdf"
    assert pdf_pages(searchable) == 6
    assert [f"Page {n}." in pdf_text(searchable, n) for n in range(1, 7)] == [True] * 6
    pages = (config.paths.outbox / "multi-page-mixed.txt").read_text().split("\f")
    assert [f"Page {n}." in text for n, text in enumerate(pages, 1)] == [True] * 6


def test_born_digital_pdf_gets_no_second_pdf(make_config: Configure) -> None:
    config = make_config()
    record = process(config, "paperless-ngx/multi-page-digital.pdf")
    assert record["outputs"]["pdf"] is None
    assert not (config.paths.outbox / "multi-page-digital.ocr.pdf").exists()
    assert [p["source"] for p in record["pages"]] == ["text-layer"] * 3


def test_turned_image_becomes_an_upright_searchable_pdf(make_config: Configure) -> None:
    config = make_config()
    process(config, "tesseract/phototest-rotated-180.png")
    searchable = config.paths.outbox / "phototest-rotated-180.pdf"
    assert pdf_text(searchable, 1).split()[:4] == ["This", "is", "a", "lot"]


def test_outputs_setting_chooses_the_files(make_config: Configure) -> None:
    config = make_config(output={"files": ["json"]})
    process(config, "paperless-ngx/simple.png")
    assert sorted(p.name for p in config.paths.outbox.iterdir()) == ["simple.json", "simple.png"]


def test_inbox_folder_languages_reach_the_json(make_config: Configure) -> None:
    config = make_config(pipeline={"inbox_languages": {"high": "eng+fra"}})
    record = process(config, "paperless-ngx/simple.png", priority="high")
    assert record["languages"] == ["eng", "fra"]
    assert record["text"] == "This is a test document."


def test_scanned_colour_jpeg_goes_into_the_searchable_pdf_as_it_is(make_config: Configure,
                                                                   tmp_path: Path) -> None:
    config = make_config()
    scan = scans.text_page(["The invoice is paid in full", "Thank you for your order"], dpi=200, mode="RGB")
    process(config, image_pdf(tmp_path / "colour-scan.pdf", scan))
    searchable = config.paths.outbox / "colour-scan.ocr.pdf"
    assert "invoice is paid" in pdf_text(searchable, 1)
    listed = subprocess.run(["pdfimages", "-list", str(searchable)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(listed) == 1
    width, height, colour, encoding, x_ppi = (listed[0].split()[i] for i in (3, 4, 5, 8, 12))
    # Taken out, not rendered: the scan's pixels, its colour, its JPEG (a render is 300 dpi gray).
    assert (width, height, colour, encoding, x_ppi) == ("1700", "2200", "rgb", "jpeg", "200")
