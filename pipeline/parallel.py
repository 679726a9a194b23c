"""Spreading one document's pages over the cores while the queue leaves them idle.

The work is in child processes (pdftoppm, tesseract), so threads suffice: each runs one
page from render to text, and deletes the page's image when done. At most `workers`
pages run at once, so memory and disk hold `workers` page images, never the document;
results come back in page order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from docvault.core.config import PipelineSettings

T = TypeVar("T")
R = TypeVar("R")


def worker_count(settings: PipelineSettings, busy_elsewhere: int, pages: int) -> int:
    """settings.page_workers, or with 0 (auto): the cores no other task needs now.

    Every other task running or waiting in the queues (`busy_elsewhere`) will want a core
    of its own; this one takes what is left, at least one.
    """
    wanted = settings.page_workers or os.cpu_count() or 1
    if not settings.page_workers:
        wanted -= busy_elsewhere
    return max(1, min(wanted, pages))


def map_ordered(work: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """`work` over `items` on `workers` threads, yielding results in the items' order."""
    if workers <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page") as pool:
        pending: list[Future[R]] = []
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                # Twice the workers queued: a page done before the one ahead of it frees
                # its core for the next page at once. What waits is a finished result.
                if len(pending) >= 2 * workers:
                    yield pending.pop(0).result()
            while pending:
                yield pending.pop(0).result()
        finally:
            for future in pending:
                future.cancel()
