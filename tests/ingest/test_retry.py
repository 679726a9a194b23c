"""`docvault retry` (ingest/retry.py): failed files go back through the intake and the pipeline."""

from __future__ import annotations

import json

from docvault.core import status
from docvault.core.status import TaskState
from tests.conftest import corpus, docvault

BATCH = "b20260101-000000-0123abcd"


def test_retry_task_id_moves_the_file_back_and_it_completes(make_config, conn, submit, run_worker):
    config = make_config(worker={"max_retries": 0}, pipeline={"tesseract_cmd": "no-such-tesseract"})
    failed = submit(config, corpus("paperless-ngx/simple.png"), priority="high")
    run_worker()
    assert status.get_status(conn, failed.id).state is TaskState.FAILED
    assert (config.paths.failed / "simple.png.error.json").exists()

    make_config(worker={"max_retries": 0})  # the owner installs tesseract
    (retried,) = json.loads(docvault("retry", failed.id, "--json").stdout)
    assert not list(config.paths.failed.iterdir())
    record = status.get_status(conn, retried["task_id"])
    assert record.state is TaskState.QUEUED and record.fields["priority"] == "high"
    run_worker()

    assert status.get_status(conn, retried["task_id"]).state is TaskState.COMPLETED
    assert (config.paths.outbox / "simple.txt").read_text().startswith("This is a test document.")


def test_retry_failed_takes_every_failed_file(make_config, conn, submit, run_worker):
    config = make_config(worker={"max_retries": 0}, pipeline={"tesseract_cmd": "no-such-tesseract"})
    for name in ("one.png", "two.png"):
        submit(config, corpus("paperless-ngx/simple.png"), name=name)
    run_worker()
    assert len(list(config.paths.failed.glob("*.error.json"))) == 2

    make_config(worker={"max_retries": 0})  # the owner installs tesseract
    result = docvault("retry", "--failed")

    assert "2 file(s) queued again" in result.stdout
    assert sorted(r.fields["name"] for r in status.list_tasks(conn, TaskState.QUEUED)) == ["one.png", "two.png"]
    assert not list(config.paths.failed.iterdir())


def test_retry_failed_skips_what_would_fail_again_unchanged(make_config, conn, submit, run_worker):
    config = make_config()
    locked = submit(config, corpus("paperless-ngx/encrypted.pdf"), name="locked.pdf")
    submit(config, corpus("ocrmypdf/invalid.pdf"), name="damaged.pdf")
    submit(config, corpus("ocrmypdf/invalid.pdf"), name="rescanned.pdf")
    run_worker()
    assert json.loads((config.paths.failed / "locked.pdf.error.json").read_text())["reason"] == "encrypted"
    # The owner saves one again, whole, under the same name.
    (config.paths.failed / "rescanned.pdf").write_bytes(corpus("ocrmypdf/linn.pdf").read_bytes())

    result = docvault("retry", "--failed")

    assert "1 file(s) queued again, 2 skipped" in result.stdout
    assert "locked.pdf.error.json: skipped, it would fail again unchanged: locked.pdf is password-protected" \
        in result.stderr
    assert f"`docvault retry {locked.id}` tries anyway" in result.stderr
    assert "damaged.pdf.error.json: skipped" in result.stderr
    assert [r.fields["name"] for r in status.list_tasks(conn, TaskState.QUEUED)] == ["rescanned.pdf"]
    assert sorted(p.name for p in config.paths.failed.iterdir()) == [
        "damaged.pdf", "damaged.pdf.error.json", "locked.pdf", "locked.pdf.error.json"]

    docvault("retry", locked.id)  # asked for by its id: tried anyway
    assert not (config.paths.failed / "locked.pdf").exists()


def test_retry_of_an_unknown_task_says_so(make_config):
    make_config()
    result = docvault("retry", "20990101-000000-00000000", check=False)
    assert result.returncode == 1 and "no failed task" in result.stderr


def test_retry_failed_skips_what_cannot_be_retried(make_config, conn, submit, run_worker):
    config = make_config(worker={"max_retries": 0}, pipeline={"tesseract_cmd": "no-such-tesseract"})
    submit(config, corpus("paperless-ngx/simple.png"), name="one.png")
    run_worker()
    # What the daemon leaves for a refused pipe: an error file whose original is gone.
    (config.paths.failed / "pipe.error.json").write_text(json.dumps({"task_id": "x", "original": None}))

    result = docvault("retry", "--failed")

    assert "1 file(s) queued again" in result.stdout and "pipe.error.json: not retried" in result.stderr
    assert [r.fields["name"] for r in status.list_tasks(conn, TaskState.QUEUED)] == ["one.png"]
    assert (config.paths.failed / "pipe.error.json").exists()


def test_a_retry_stands_in_for_its_failed_task_in_batch_and_duplicates(make_config, conn, submit, run_worker):
    """Through the Intake: the batch counts the file once, and with duplicates skipped the
    retry is not taken for a copy of the task it replaces."""
    config = make_config(ingest={"duplicates": "skip"}, worker={"max_retries": 0},
                         pipeline={"tesseract_cmd": "no-such-tesseract"})
    failed = submit(config, corpus("paperless-ngx/simple.png"), batch=BATCH, relpath="scans/simple.png")
    run_worker()
    assert status.get_batch(conn, BATCH).states == {"FAILED": 1}

    (retried,) = json.loads(docvault("retry", failed.id, "--json").stdout)

    assert status.get_status(conn, retried["task_id"]).state is TaskState.QUEUED
    assert status.get_batch(conn, BATCH).states == {"QUEUED": 1}
    assert not config.paths.duplicates.exists() or not any(config.paths.duplicates.iterdir())


def test_changed_error_file_cannot_move_a_file_from_elsewhere_or_write_outside(make_config, conn, submit,
                                                                             run_worker, tmp_path):
    config = make_config(worker={"max_retries": 0}, pipeline={"tesseract_cmd": "no-such-tesseract"})
    submit(config, corpus("paperless-ngx/simple.png"), name="one.png")
    run_worker()
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pipeline")
    sidecar = config.paths.failed / "one.png.error.json"
    error = json.loads(sidecar.read_text())
    for change in ({"original": "../../secret.png"}, {"relpath": "../../elsewhere"},
                   {"relpath": "/etc"}, {"batch": "b/../../x"}):
        sidecar.write_text(json.dumps({**error, **change}))

        result = docvault("retry", "--failed")

        assert "0 file(s) queued again" in result.stdout
        assert "one.png.error.json: not retried: its" in result.stderr and "not one DocVault wrote" in result.stderr
        assert secret.read_bytes() == b"not for the pipeline"
        assert (config.paths.failed / "one.png").exists() and not list(config.paths.tasks.iterdir())
