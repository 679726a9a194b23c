"""Files with content seen before: flagged (default) or set aside."""

from __future__ import annotations

import json
import shutil

from docvault.core import status
from tests.conftest import corpus, wait_for
from tests.ingest.conftest import queued_ids, tasks, wait_queued


def test_flagged_duplicate_is_processed_and_names_the_earlier_task(make_config, daemon, conn, run_worker):
    config = make_config()
    daemon(config)
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / "normal" / "first.tif")
    (first_id,) = wait_queued(conn, 1)
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / "normal" / "again.tif")
    wait_queued(conn, 2)

    run_worker()

    again = json.loads((config.paths.outbox / "again.json").read_text())
    first = json.loads((config.paths.outbox / "first.json").read_text())
    assert again["source"]["duplicate_of"] == first_id
    assert first["source"]["duplicate_of"] is None
    assert again["source"]["sha256"] == first["source"]["sha256"]


def test_skipped_duplicate_goes_to_outbox_duplicates(make_config, daemon, conn):
    config = make_config(ingest={"duplicates": "skip"})
    daemon(config)
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / "high" / "first.tif")
    (first_id,) = wait_queued(conn, 1)
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / "high" / "again.tif")

    sidecar = config.paths.duplicates / "again.tif.duplicate.json"
    wait_for(sidecar.exists, what="the duplicate sidecar")
    record = json.loads(sidecar.read_text())
    wait_for(lambda: not (config.paths.tasks / record["task_id"]).exists(), what="the task folder to go")
    assert record["duplicate_of"] == first_id and record["reason"] == "duplicate"
    assert "first.tif" in record["message"]
    assert (config.paths.duplicates / "again.tif").read_bytes() == corpus("tesseract/HelloGoogle.tif").read_bytes()
    assert queued_ids(conn) == [first_id]
    assert [t.id for t in tasks(config)] == [first_id]
    assert status.get_status(conn, record["task_id"]).state is status.TaskState.SKIPPED


def test_process_mode_does_not_flag(make_config, daemon, conn):
    config = make_config(ingest={"duplicates": "process"})
    daemon(config)
    for name in ("one.tif", "two.tif"):
        shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / "low" / name)
    wait_queued(conn, 2)
    assert [t.duplicate_of for t in tasks(config)] == [None, None]
