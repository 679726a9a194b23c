"""Inbox to outbox, through the real watcher, real Redis, a real RQ worker process and
real tesseract."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from docvault.core import status
from docvault.core.status import TaskState
from tests.conftest import REPO, corpus, job_started_at, text_image, wait_for


def _inbox_empty(config) -> bool:
    return not [p for p in (config.paths.inbox / "normal").rglob("*") if p.is_file()]


def _queued_ids(conn, config, count: int) -> list[str]:
    def ids():
        found = [p.name for p in config.paths.tasks.iterdir()] if config.paths.tasks.exists() else []
        queued = [i for i in found if status.get_status(conn, i) is not None]
        return queued if len(queued) >= count else None

    return wait_for(ids, what=f"{count} task(s) to be queued")


def test_dropped_png_comes_out_as_text_and_json(watcher, conn, run_worker):
    config = watcher()
    shutil.copy(corpus("paperless-ngx/simple.png"), config.paths.inbox / "normal" / "simple.png")
    (task_id,) = _queued_ids(conn, config, 1)
    assert _inbox_empty(config)

    run_worker()

    outbox = config.paths.outbox
    assert "This is a test document." in (outbox / "simple.txt").read_text()
    record = json.loads((outbox / "simple.json").read_text())
    assert record["task_id"] == task_id
    assert record["source"]["name"] == "simple.png"
    assert record["page_count"] == 1 and record["schema_version"] == 1
    assert record["category"]["category"] == "other"  # one sentence names no category
    assert record["metadata"]["sha256"] == record["source"]["sha256"]
    assert (outbox / "simple.png").read_bytes() == corpus("paperless-ngx/simple.png").read_bytes()
    state = status.get_status(conn, task_id)
    assert state.state is TaskState.COMPLETED and state.progress == 100
    assert status.get_result(conn, task_id)["text"].startswith("This is a test document.")
    assert not (config.paths.tasks / task_id).exists()


def test_two_page_pdf_yields_two_pages_in_order(watcher, conn, run_worker, tmp_path):
    config = watcher()
    first, second = text_image(["First page here"]), text_image(["Second page here"])
    pdf = tmp_path / "two.pdf"
    first.save(pdf, save_all=True, append_images=[second], resolution=150)
    shutil.copy(pdf, config.paths.inbox / "normal" / "two.pdf")
    _queued_ids(conn, config, 1)

    run_worker()

    record = json.loads((config.paths.outbox / "two.json").read_text())
    assert [p["number"] for p in record["pages"]] == [1, 2]
    assert "First page" in record["pages"][0]["text"]
    assert "Second page" in record["pages"][1]["text"]
    assert all(p["source"] == "ocr" for p in record["pages"])
    assert (config.paths.outbox / "two.ocr.pdf").exists()


def test_high_priority_runs_before_waiting_low(watcher, conn, run_worker):
    config = watcher()
    for n in range(3):
        shutil.copy(corpus("pytesseract/test_la.png"), config.paths.inbox / "low" / f"low{n}.png")
    low_ids = _queued_ids(conn, config, 3)
    shutil.copy(corpus("pytesseract/test_la.png"), config.paths.inbox / "high" / "urgent.png")
    (high_id,) = set(_queued_ids(conn, config, 4)) - set(low_ids)

    run_worker()

    assert all(job_started_at(conn, high_id) < job_started_at(conn, low) for low in low_ids)


def test_same_name_from_two_inboxes_gets_two_output_sets(watcher, conn):
    config = watcher()
    sources = {"normal": corpus("paperless-ngx/simple.png"), "high": corpus("pytesseract/test_la.png")}
    for priority, source in sources.items():
        shutil.copy(source, config.paths.inbox / priority / "scan.png")
    _queued_ids(conn, config, 2)

    workers = [subprocess.Popen([sys.executable, "-m", "docvault.cli", "worker", "--burst"], cwd=REPO)
               for _ in range(2)]  # two at once, as on the NAS
    assert [w.wait(timeout=300) for w in workers] == [0, 0]

    outbox = config.paths.outbox
    records = [json.loads((outbox / f"{stem}.json").read_text()) for stem in ("scan", "scan-2")]
    assert {r["source"]["priority"] for r in records} == {"normal", "high"}
    for stem, record in zip(("scan", "scan-2"), records):
        original = sources[record["source"]["priority"]].read_bytes()
        assert (outbox / f"{stem}.png").read_bytes() == original
        assert (outbox / f"{stem}.txt").read_text() == record["text"]


def test_names_of_the_work_folder_and_of_the_outputs_lose_nothing(watcher, conn, run_worker, tmp_path):
    """A scan called searchable.pdf or task.json would be overwritten in its task folder
    by the pipeline's file of that name; one called notes.txt or photo.pdf (a PNG) by its
    own text or searchable PDF in the outbox. Each keeps its bytes."""
    config = watcher()
    page = tmp_path / "page.png"
    text_image(["Nothing lost here"]).save(page)
    scan = tmp_path / "scan.pdf"
    text_image(["Nothing lost here"]).save(scan, resolution=150)
    drops = {"searchable.pdf": scan, "task.json": page, "pages": page, "notes.txt": page, "photo.pdf": page}
    for name, source in drops.items():
        shutil.copy(source, config.paths.inbox / "normal" / name)
    ids = _queued_ids(conn, config, len(drops))

    run_worker()

    assert all(status.get_status(conn, i).state is TaskState.COMPLETED for i in ids)
    outbox = config.paths.outbox
    for json_name, original in (("_searchable.json", "_searchable.pdf"), ("_task.json", "_task.original.json"),
                                ("_pages.json", "_pages"), ("notes.json", "notes.original.txt"),
                                ("photo.json", "photo.original.pdf")):
        record = json.loads((outbox / json_name).read_text())
        assert record["outputs"]["original"] == original
        assert (outbox / original).read_bytes() == drops[record["source"]["name"]].read_bytes()
        assert "Nothing lost" in record["text"]
    assert "Nothing lost" in (outbox / "notes.txt").read_text()
