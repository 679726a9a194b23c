"""`docvault status`, `result` and `list`, run as real processes after a real run."""

from __future__ import annotations

import json
import subprocess
import sys

from rq.job import Job
from rq.serializers import JSONSerializer

from tests.conftest import REPO, corpus, docvault


def test_status_follow_ends_with_the_outcome(make_config, conn, submit, run_worker):
    config = make_config()
    good = submit(config, corpus("paperless-ngx/simple.png"))
    bad = submit(config, corpus("ocrmypdf/invalid.pdf"))
    run_worker()

    followed = docvault("status", good.id, "--follow")
    assert "100 %" in followed.stdout and "COMPLETED" in followed.stdout
    assert docvault("status", bad.id, "--follow", check=False).returncode == 1
    record = json.loads(docvault("status", good.id, "--json").stdout)
    assert record["status"] == "COMPLETED" and record["progress"] == 100
    assert record["attempts"] == "1" and record["worker"] and record["started_at"] and record["finished_at"]
    assert record["outputs"]["json"].endswith("simple.json")


def test_result_and_list(make_config, conn, submit, run_worker):
    config = make_config()
    good = submit(config, corpus("paperless-ngx/simple.png"))
    bad = submit(config, corpus("ocrmypdf/invalid.pdf"))
    run_worker()

    assert json.loads(docvault("result", good.id).stdout)["task_id"] == good.id
    assert docvault("result", bad.id, check=False).returncode == 1
    listed = json.loads(docvault("list", "--status", "failed", "--json").stdout)
    assert [r["task_id"] for r in listed] == [bad.id]
    assert good.id in docvault("list").stdout
    assert json.loads(docvault("list", "--batch", "none-such", "--json").stdout) == []


def test_status_follow_shows_the_progress_live(make_config, conn, submit, run_worker, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCVAULT_TEST_STATE", str(tmp_path))
    monkeypatch.setenv("DOCVAULT_TEST_DELAY", "2")  # time for the follower to see each stage
    config = make_config(pipeline={"tesseract_cmd": str(REPO / "tests" / "tesseract_slow.sh")})
    task = submit(config, corpus("paperless-ngx/simple.png"))
    follower = subprocess.Popen([sys.executable, "-m", "docvault.cli", "status", task.id, "--follow"],
                                cwd=REPO, stdout=subprocess.PIPE, text=True)
    run_worker()
    out, _ = follower.communicate(timeout=60)

    assert follower.returncode == 0
    frames = out.split("\r")
    assert any("PROCESSING" in f for f in frames) and "100 %  COMPLETED" in frames[-1]
    job = Job.fetch(task.id, connection=conn, serializer=JSONSerializer)
    assert job.meta == {"progress": 100, "state": "COMPLETED"}  # what rq-dashboard shows
