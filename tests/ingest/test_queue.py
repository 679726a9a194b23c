"""ingest/queue.py: the job carries the task id only, with a timeout from the page count."""

from __future__ import annotations

from PIL import Image
from rq.job import Job
from rq.serializers import JSONSerializer

from ingest import queue
from tests.conftest import corpus


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
    assert queue.count_pages(_pages(tmp_path, 3, ".pdf"), 2, 60) == 2  # capped at max_pages


def test_job_timeout_grows_with_the_pages(make_config, conn, submit, tmp_path):
    config = make_config(pipeline={"page_timeout_seconds": 100})
    task = submit(config, _pages(tmp_path, 3, ".pdf"))
    job = Job.fetch(task.id, connection=conn, serializer=JSONSerializer)
    assert job.timeout == queue.JOB_OVERHEAD_SECONDS + 3 * (100 + queue.RENDER_SECONDS_PER_PAGE)
    assert job.args == [task.id] and job.description == f"OCR task {task.id}"
    assert job.retries_left == config.worker.max_retries
