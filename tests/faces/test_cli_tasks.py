"""`docvault status`, `result` and `list`, run as real processes after a real run."""

from __future__ import annotations

import json
import subprocess
import sys

from rq.job import Job
from rq.serializers import JSONSerializer

from docvault.core import status
from docvault.core.status import TaskState
from docvault.core.task import new_task_id
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

    result = json.loads(docvault("result", good.id).stdout)
    assert result["task_id"] == good.id
    assert result["outputs"]["json"] == "simple.json"  # inside the outbox, as the sidecar says
    failed = docvault("result", bad.id, check=False)
    assert failed.returncode == 1
    assert f"task {bad.id} (invalid.pdf) failed: " in failed.stderr and "damaged" in failed.stderr
    assert "the error file is failed/invalid.pdf.error.json in the outbox" in failed.stderr
    listed = json.loads(docvault("list", "--status", "failed", "--json").stdout)
    assert [r["task_id"] for r in listed] == [bad.id]
    header, *rows = docvault("list").stdout.splitlines()
    assert header.split() == ["TASK", "STATE", "PROGRESS", "PRIORITY", "RECEIVED", "(UTC)", "NAME"]
    by_id = {row.split()[0]: row.split() for row in rows}
    assert by_id[good.id][1:4] == ["COMPLETED", "100", "%"] and by_id[good.id][4] == "normal"
    assert by_id[bad.id][1:4] == ["FAILED", "-", "normal"]  # not "100 %"
    assert by_id[bad.id][-1] == "invalid.pdf" and by_id[bad.id][4][:2] == "20"  # the date it came in
    assert json.loads(docvault("list", "--batch", "none-such", "--json").stdout) == []


def test_result_of_a_task_still_queued_says_so(make_config, conn, submit):
    config = make_config()
    task = submit(config, corpus("paperless-ngx/simple.png"))
    waiting = docvault("result", task.id, check=False)
    assert waiting.returncode == 1 and "is not finished: QUEUED, 0 %" in waiting.stderr


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


def test_status_follow_ends_when_the_record_goes(make_config, conn, tmp_path):
    """A WAITING file taken out of the inbox leaves a record that expires: following it
    must end, not poll a stale copy for ever."""
    config = make_config()
    task_id = new_task_id()
    status.set_state(conn, config.results, task_id, TaskState.WAITING, message="still being written",
                     name="scan.pdf", priority="normal")
    follower = subprocess.Popen([sys.executable, "-m", "docvault.cli", "status", task_id, "--follow"],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert task_id in follower.stdout.readline()  # it has read the record and follows it
    conn.delete(status.task_key(task_id))
    # read through the same buffered pipe objects: communicate() reads the raw pipes and would
    # miss what readline() already buffered (the bar line came in the same chunk as the header)
    assert follower.wait(timeout=20) == 1
    out, err = follower.stdout.read(), follower.stderr.read()
    assert "WAITING" in out and "is gone" in err
