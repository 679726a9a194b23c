"""docvault/stats.py: figures from known facts, and from a known real run."""

from __future__ import annotations

import json

from PIL import Image

from docvault import stats
from docvault.core import status
from docvault.core.status import Finished, TaskState
from tests.conftest import corpus, docvault

NOW = 1_800_000_000.0


def test_figures_from_known_facts(conn):
    facts = [
        Finished("a", TaskState.COMPLETED, NOW - 60, 10.0, 2),
        Finished("b", TaskState.COMPLETED, NOW - 120, 20.0, 3),
        Finished("c", TaskState.FAILED, NOW - 180, 0.0, 0),
        Finished("d", TaskState.COMPLETED, NOW - 7200, 30.0, 1),  # earlier today
        Finished("e", TaskState.FAILED, NOW - 90000, 0.0, 0),  # yesterday: not counted
    ]
    for fact in facts:
        status.record_finished(conn, fact)

    figures = stats.collect(conn, now=NOW)

    assert figures.last_hour == stats.Counts(completed=2, failed=1)
    assert figures.last_day == stats.Counts(completed=3, failed=1)
    assert figures.mean_seconds == 20.0
    assert figures.p95_seconds == 30.0
    assert figures.pages_per_minute == 6.0  # 6 pages in 60 s of processing
    assert figures.success_rate == 0.75
    assert figures.queued == {"high": 0, "normal": 0, "low": 0}


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert stats.percentile(values, 95) == 19.0
    assert stats.percentile(values, 50) == 10.0
    assert stats.percentile([7.0], 95) == 7.0


def test_stats_match_a_known_run(make_config, conn, submit, run_worker, tmp_path):
    config = make_config()
    pdf = tmp_path / "three.pdf"
    page = Image.open(corpus("paperless-ngx/simple.png")).convert("L")
    page.save(pdf, save_all=True, append_images=[page, page], resolution=150)
    submit(config, corpus("paperless-ngx/simple.png"))
    submit(config, pdf)
    submit(config, corpus("ocrmypdf/invalid.pdf"))
    submit(config, corpus("paperless-ngx/simple.png"), name="later.png", priority="low")

    run_worker()
    submit(config, corpus("paperless-ngx/simple.png"), name="queued.png", priority="high")

    figures = json.loads(docvault("stats", "--json").stdout)
    times = [json.loads(p.read_text())["processing_time"] for p in config.paths.outbox.glob("*.json")]
    assert len(times) == 3
    assert figures["last_hour"] == {"completed": 3, "failed": 1}
    assert figures["last_day"] == {"completed": 3, "failed": 1}
    assert figures["success_rate"] == 0.75
    assert figures["mean_seconds"] == round(sum(times) / 3, 2)
    assert figures["p95_seconds"] == round(max(times), 2)
    assert figures["pages_per_minute"] == round(5 / sum(times) * 60, 2)  # 1 + 3 + 1 pages
    assert figures["queued"] == {"high": 1, "normal": 0, "low": 0}
    assert figures["workers"] == []  # the burst worker has exited
    text = docvault("stats").stdout
    assert "3 completed, 1 failed" in text and "success rate:  75 %" in text and "high 1" in text
