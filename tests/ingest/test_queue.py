"""ingest/queue.py: the job carries the task id only, with a timeout from the page count."""

from __future__ import annotations

import io

from PIL import Image
from rq.job import Job
from rq.serializers import JSONSerializer

from ingest import queue
from tests.conftest import bomb_tiff, corpus


def _pages(tmp_path, count: int, suffix: str):
    path = tmp_path / f"doc{suffix}"
    page = Image.new("L", (200, 200), 255)
    page.save(path, save_all=True, append_images=[page] * (count - 1))
    return path


def test_pages_are_counted_cheaply(tmp_path):
    assert queue.count_pages(_pages(tmp_path, 3, ".pdf"), 500, 60) == 3
    assert queue.count_pages(_pages(tmp_path, 4, ".tif"), 500, 60) == 4
    assert queue.count_pages(corpus("paperless-ngx/simple.png"), 500, 60) == 1
    assert queue.count_pages(corpus("ocrmypdf/invalid.pdf"), 500, 60) == 1  # fails fast anyway


def test_more_pages_than_the_limit_count_as_one_the_pipeline_refuses_at_once(tmp_path):
    assert queue.count_pages(_pages(tmp_path, 3, ".pdf"), 2, 60) == 1
    assert queue.count_pages(_pages(tmp_path, 4, ".tif"), 3, 60) == 1


def test_tiff_frames_are_counted_only_up_to_the_limit(tmp_path):
    """5,000 frames with the second half cut off: walking every frame (Pillow's n_frames)
    meets the cut and raises; counting stops long before it."""
    page = Image.new("1", (8, 8), 1)
    buffer = io.BytesIO()
    page.save(buffer, format="TIFF", save_all=True, append_images=[page] * 4999)
    path = tmp_path / "many.tif"
    path.write_bytes(buffer.getvalue()[:len(buffer.getvalue()) // 2])

    assert queue.count_pages(path, 10, 60) == 1  # 11 frames seen: more than 10, refused at once
    assert queue.count_pages(path, 2000, 60) == 1  # the cut is met: uncountable, one page


def test_decompression_bomb_header_counts_as_one_page(tmp_path):
    path = tmp_path / "bomb.tif"
    path.write_bytes(bomb_tiff())
    assert queue.count_pages(path, 500, 60) == 1


def test_job_timeout_grows_with_the_pages(make_config, conn, submit, tmp_path):
    config = make_config(pipeline={"page_timeout_seconds": 100})
    task = submit(config, _pages(tmp_path, 3, ".pdf"))
    job = Job.fetch(task.id, connection=conn, serializer=JSONSerializer)
    assert job.timeout == 600  # 120 s overhead + 3 pages x (100 s tesseract + 60 s rendering)
    assert job.args == [task.id] and job.description == "doc.pdf (normal)"  # its name, for operators
    assert job.retries_left == config.worker.max_retries


def test_job_timeout_of_a_file_over_the_page_limit_is_one_pages(make_config, conn, submit, tmp_path):
    config = make_config(pipeline={"page_timeout_seconds": 100, "max_pages": 3})
    task = submit(config, _pages(tmp_path, 5, ".tif"))
    job = Job.fetch(task.id, connection=conn, serializer=JSONSerializer)
    assert job.timeout == 280  # 120 s + 1 x 160 s: refused at its first step, not given 3 pages' time
