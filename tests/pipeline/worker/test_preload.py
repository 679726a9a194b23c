"""pipeline/worker: what the worker imports before RQ forks a work horse per job."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_worker_preloads_the_ocr_job_so_each_work_horse_inherits_it() -> None:
    """In a fresh interpreter: importing the worker does not load the job (the CLI's
    other commands stay light); preload() does, with tesseract's wrapper, the metadata
    extractors, the parsed config, tesseract's language list and the language model,
    which every forked work horse then shares."""
    script = (
        "import sys\n"
        "import pipeline.worker\n"
        "from docvault.core.config import Config\n"
        "before = 'pipeline.job' in sys.modules\n"
        "pipeline.worker.preload(Config())\n"
        "from pipeline import ocr_language\n"
        "from pipeline.metadata import language\n"
        "from docvault.core import config\n"
        "print(config._kept is not None and config.current_config() is config._kept[1], before, all(m in sys.modules for m in ('pipeline.job', 'pytesseract', 'pipeline.metadata')),\n"
        "      'fra' in ocr_language._INSTALLED['tesseract'], language._identifier.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["True", "False", "True", "True", "1"]  # all five installed: one model for both uses
