"""pipeline/job.py and finish.py: the job picks up where a killed attempt stopped, with real workers."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from docvault.core import durable, status
from docvault.core.status import TaskState
from docvault.core.task import MANIFEST, Task
from ingest import reconcile
from ingest.intake import Intake
from pipeline import finish, process
from pipeline.progress import Progress
from tests.conftest import corpus


class Killed(Exception):
    """Stands for the worker dying at this point."""


def _killed(*args: object) -> None:
    raise Killed()


def test_killed_after_writing_outputs_is_finished_without_a_second_set(
    make_config, conn, submit, run_worker, monkeypatch
):
    config = make_config()
    task = submit(config, corpus("paperless-ngx/simple.png"))
    with monkeypatch.context() as patch, pytest.raises(Killed):
        patch.setattr(process, "complete_task", _killed)
        process.process_task(task.with_attempt(), config, Progress(None, None, task.id, task.name, config.results))
    assert (config.paths.tasks / task.id).exists() and (config.paths.outbox / "simple.json").exists()

    out = run_worker()

    assert status.get_status(conn, task.id).state is TaskState.COMPLETED, out.stderr
    assert status.get_result(conn, task.id)["task_id"] == task.id
    assert sorted(p.name for p in config.paths.outbox.iterdir() if p.is_file()) == [
        "simple.json", "simple.pdf", "simple.png", "simple.txt"]
    assert not (config.paths.tasks / task.id).exists()


def test_killed_between_move_and_error_file_keeps_the_first_error(
    make_config, conn, submit, run_worker, monkeypatch
):
    config = make_config()
    task = submit(config, corpus("ocrmypdf/invalid.pdf"), name="broken.pdf")
    real_write = durable.write_bytes

    def write(path, data):
        if path.name.endswith(".error.json"):
            raise Killed()
        real_write(path, data)

    with monkeypatch.context() as patch, pytest.raises(Killed):
        patch.setattr(durable, "write_bytes", write)
        finish.fail_task(task.with_attempt(), config, conn, ValueError("the first error"))
    assert (config.paths.failed / "broken.pdf").exists()

    run_worker()

    assert sorted(p.name for p in config.paths.failed.iterdir()) == ["broken.pdf", "broken.pdf.error.json"]
    error = json.loads((config.paths.failed / "broken.pdf.error.json").read_text())
    assert error["error"] == "ValueError" and "the first error" in error["traceback"]
    assert status.get_status(conn, task.id).state is TaskState.FAILED


def test_a_file_that_keeps_killing_workers_fails_with_a_reason(make_config, conn, submit, run_worker):
    config = make_config(worker={"max_retries": 2})
    task = submit(config, corpus("paperless-ngx/simple.png"))
    # Three attempts began and none ended: each time the worker died.
    dataclasses.replace(task, attempts=3).save(config.paths.tasks)

    run_worker()

    record = status.get_status(conn, task.id)
    assert record.state is TaskState.FAILED and record.fields["reason"] == "worker-lost"
    error = json.loads((config.paths.failed / "simple.png.error.json").read_text())
    assert error["error"] == "WorkerLost" and "stopped 3 time(s)" in error["message"]
    assert Task.from_dict({**task.to_dict(), "attempts": 4}).attempts == error["attempts"]


def test_changed_manifest_cannot_take_a_file_from_outside_or_write_elsewhere(make_config, conn, submit,
                                                                            run_worker, tmp_path):
    """task.json lies on the share: one pointing outside its folder is refused by the
    worker, and the daemon's reconcile rebuilds it from the file that is really there."""
    config = make_config()
    task = submit(config, corpus("paperless-ngx/simple.png"))
    secret = tmp_path / "secret.png"
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), secret)
    manifest = config.paths.tasks / task.id / MANIFEST
    manifest.write_text(json.dumps({**task.to_dict(), "file_name": "../../../secret.png",
                                    "relpath": "../elsewhere"}))

    out = run_worker()

    assert secret.exists() and not (tmp_path / "elsewhere").exists()
    assert task.original(config.paths.tasks).exists() and not config.paths.failed.exists()
    assert Job.fetch(task.id, connection=conn, serializer=JSONSerializer).get_status() == JobStatus.FAILED
    assert "task.json has a file_name, relpath DocVault did not write" in out.stderr

    intake = Intake(conn, config)
    reconcile.reconcile(config, conn, intake.finish, intake.dispatch, intake.fail)
    rebuilt = Task.load(config.paths.tasks / task.id)
    assert (rebuilt.file_name, rebuilt.relpath) == ("simple.png", None)
    run_worker()
    assert status.get_status(conn, task.id).state is TaskState.COMPLETED
    assert (config.paths.outbox / "simple.txt").exists() and secret.exists()


def test_original_replaced_by_a_link_is_never_read(make_config, conn, submit, run_worker, tmp_path):
    config = make_config()
    task = submit(config, corpus("paperless-ngx/simple.png"))
    secret = tmp_path / "secret.tif"
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), secret)
    original = task.original(config.paths.tasks)
    original.unlink()
    original.symlink_to(secret)

    run_worker()

    record = status.get_status(conn, task.id)
    assert record.state is TaskState.FAILED and record.fields["reason"] == "unsafe"
    assert (config.paths.failed / "simple.png").is_symlink() and secret.exists()
    assert not list(config.paths.outbox.glob("*.txt")) and not list(config.paths.outbox.glob("*.json"))
