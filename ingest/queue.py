"""Putting a task on the RQ queue of its priority.

The job carries the task id and nothing else (JSON serializer, no pickle); its
description is the file's name reduced to a safe set of characters (`jobs.describe`),
so an operator recognises the job in rq-dashboard and no markup reaches it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image
from redis import Redis
from rq import Retry

from docvault.core import frames, jobs, pdfinfo, status
from docvault.core.config import Config
from docvault.core.filetype import HEAD_BYTES, Kind, sniff
from docvault.core.ownfiles import open_regular
from docvault.core.status import TaskState
from docvault.core.task import Task

log = logging.getLogger(__name__)

# Beyond the pages themselves: loading, the searchable PDF, the outbox.
JOB_OVERHEAD_SECONDS = 120
# Rendering one page, on top of its tesseract run (which has its own timeout).
RENDER_SECONDS_PER_PAGE = 60


def count_pages(path: Path, max_pages: int, timeout: int) -> int:
    """A cheap page count for the job timeout: pdfinfo for PDFs, frames for TIFFs, else 1.

    A file that cannot be counted, or has more than `max_pages` pages, counts as one page:
    the pipeline refuses it at once. Nothing about the file raises here (a TIFF declaring
    more pixels than Pillow opens raises DecompressionBombError, a damaged one TypeError):
    the worker judges it and fails it with words for people.
    """
    try:
        with open_regular(path) as fh:
            kind = sniff(fh.read(HEAD_BYTES))
        if kind is Kind.PDF:
            pages = pdfinfo.page_count(path, timeout)
        elif kind is Kind.TIFF:
            with Image.open(path) as image:
                pages = frames.count(image, max_pages + 1)
        else:
            pages = 1
    except Exception as exc:  # noqa: BLE001 - whatever Pillow or poppler make of this one file
        log.debug("%s: pages not counted (%s: %s); sized as one page", path.name, type(exc).__name__, exc)
        pages = 1
    return pages if 1 <= pages <= max_pages else 1


def job_timeout(pages: int, config: Config) -> int:
    """RQ's limit for the whole job: every page may take its full tesseract timeout."""
    return JOB_OVERHEAD_SECONDS + pages * (config.pipeline.page_timeout_seconds + RENDER_SECONDS_PER_PAGE)


def enqueue_task(conn: Redis, task: Task, config: Config) -> None:
    pages = count_pages(task.original(config.paths.tasks), config.pipeline.max_pages,
                        config.pipeline.page_timeout_seconds)
    status.set_state(
        conn,
        config.results,
        task.id,
        TaskState.QUEUED,
        progress=0,
        message="waiting for a worker",
        name=task.name,
        priority=task.priority,
        batch=task.batch or "",
        sha256=task.sha256,
        created_at=task.created_at,
    )
    retries = config.worker.max_retries
    jobs.get_queue(conn, task.priority).enqueue(
        jobs.OCR_FUNCTION,
        task.id,
        job_id=task.id,
        description=jobs.describe(task.name, task.priority),
        job_timeout=job_timeout(pages, config),
        result_ttl=config.results.result_ttl,
        failure_ttl=config.results.status_ttl,
        retry=Retry(max=retries, interval=list(config.worker.retry_delays)) if retries else None,
    )
    log.info("%s %s: queued on %s (%d page(s))", task.id, task.name, task.priority, pages)
