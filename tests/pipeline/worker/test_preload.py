"""pipeline/worker: what the worker imports before RQ forks a work horse per job."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_worker_preloads_the_ocr_job_so_each_work_horse_inherits_it() -> None:
    """In a fresh interpreter: importing the worker does not load the job (the CLI's
    other commands stay light); preload() does, with tesseract's wrapper and the
    metadata extractors, which every forked work horse then shares."""
    script = (
        "import sys\n"
        "import pipeline.worker\n"
        "before = 'pipeline.job' in sys.modules\n"
        "pipeline.worker.preload()\n"
        "print(before, all(m in sys.modules for m in ('pipeline.job', 'pytesseract', 'pipeline.metadata')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["False", "True"]
