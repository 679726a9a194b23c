"""The daemon with a real watchdog observer on a real folder and a real Redis: what it
claims, what it leaves alone, and that it stays listening."""

from __future__ import annotations

import json
import logging
import shutil

from docvault.core.errors import WatcherDied
from ingest import watcher
from ingest.watcher import _Events
from tests.conftest import corpus, docvault, wait_for
from tests.ingest.conftest import inbox_files, queued_ids, tasks, wait_queued


def test_tmp_renamed_to_pdf_is_claimed(make_config, daemon, conn):
    config = make_config()
    daemon(config)
    normal = config.paths.inbox / "normal"
    (normal / "scan.tmp").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (normal / "scan.tmp").rename(normal / "scan.pdf")

    (job_id,) = wait_queued(conn, 1)
    (task,) = tasks(config)
    assert task.id == job_id and task.name == "scan.pdf"
    assert inbox_files(config) == []


def test_a_closed_complete_file_is_claimed_without_waiting_for_the_tick(make_config, daemon, conn, monkeypatch):
    """The writer's close wakes the loop: with the tick an hour long and the settle period
    too, the file is still claimed (issue 13: claim the moment the writer closes it)."""
    monkeypatch.setattr(watcher, "TICK_SECONDS", 3600)
    config = make_config(ingest={"settle_seconds": 3600})
    daemon(config)
    (config.paths.inbox / "normal" / "closed.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")

    wait_queued(conn, 1)
    assert [t.name for t in tasks(config)] == ["closed.pdf"]


def test_ignored_files_are_left_where_they_are(make_config, daemon, conn, caplog):
    config = make_config()
    normal = config.paths.inbox / "normal"
    ignored = [".DS_Store", "._scan.pdf", "Thumbs.db", "desktop.ini", "~$letter.docx", ".~lock.a.odt#",
               "x.tmp", "x.part", "x.partial", "x.filepart", "x.crdownload", ".x.swp",
               "@eaDir/scan.pdf@SynoEAStream", ".@__thumb/s.jpg", "@Recycle/old.pdf",
               "#recycle/old.pdf", "__MACOSX/._a.pdf", ".Trashes/501/a.pdf", ".streams/a.pdf",
               "@Recently-Snapshot/a.pdf"]
    caplog.set_level(logging.INFO, logger="ingest.watcher")
    running = daemon(config)
    for rel in ignored:
        (normal / rel).parent.mkdir(parents=True, exist_ok=True)
        (normal / rel).write_bytes(b"not for us")
    (normal / "real.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")  # written last: claimed last

    wait_queued(conn, 1)
    running.watcher.scan()  # a rescan does not take them either
    assert running.watcher.pending == {}
    assert [t.name for t in tasks(config)] == ["real.pdf"]
    assert all((normal / rel).read_bytes() == b"not for us" for rel in ignored)
    assert "inbox/normal/Thumbs.db: ignored (matches 'Thumbs.db' in ingest.ignore)" in caplog.text


def test_files_present_before_start_are_claimed(make_config, daemon, conn):
    config = make_config()
    for priority in ("high", "low"):
        (config.paths.inbox / priority).mkdir(parents=True)
        shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / priority / "early.tif")
    daemon(config)

    wait_queued(conn, 2)
    assert sorted(t.priority for t in tasks(config)) == ["high", "low"]
    assert inbox_files(config) == []


def test_stopped_observer_is_restarted_and_the_rescan_finds_what_it_missed(make_config, daemon, conn, caplog):
    config = make_config()
    running = daemon(config)
    observer = running.watcher.observer
    observer.stop()
    observer.join(timeout=10)
    (config.paths.inbox / "normal" / "missed.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")

    wait_queued(conn, 1)
    assert [t.name for t in tasks(config)] == ["missed.pdf"]
    assert running.watcher.observer is not observer and running.watcher.observer.is_alive()
    assert "the folder watcher stopped (its thread ended); restarting it" in caplog.text


def test_periodic_rescan_catches_what_events_missed(make_config, daemon, conn, monkeypatch):
    monkeypatch.setattr(_Events, "on_any_event", lambda self, event: None)  # every event lost
    config = make_config(ingest={"rescan_seconds": 1})
    daemon(config)
    (config.paths.inbox / "low" / "quiet.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")

    wait_queued(conn, 1)
    assert [t.name for t in tasks(config)] == ["quiet.pdf"]


def test_watcher_that_cannot_be_restarted_stops_the_daemon(make_config, daemon):
    config = make_config()
    running = daemon(config)
    shutil.rmtree(config.paths.inbox)
    config.paths.inbox.write_text("the inbox folder replaced by a file")

    running.thread.join(timeout=15)
    assert not running.thread.is_alive(), "the daemon kept running without a folder watcher"
    (error,) = running.errors
    assert isinstance(error, WatcherDied) and "cannot watch" in error.message


def test_polling_observer_claims_a_file(make_config, daemon, conn):
    config = make_config(ingest={"polling": True})
    running = daemon(config)
    (config.paths.inbox / "high" / "polled.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")

    wait_queued(conn, 1)
    assert type(running.watcher.observer).__name__ == "PollingObserver"
    assert [t.name for t in tasks(config)] == ["polled.pdf"]


def test_thousand_files_in_three_inboxes_are_each_claimed_once(make_config, daemon, conn):
    config = make_config(ingest={"settle_seconds": 0.2})
    daemon(config)
    names = set()
    for n in range(1000):
        priority = ("high", "normal", "low")[n % 3]
        (config.paths.inbox / priority / f"doc-{n:04d}.txt").write_text(f"document {n}\n")
        names.add(f"doc-{n:04d}.txt")

    wait_queued(conn, 1000, timeout=50)
    ids = queued_ids(conn)
    claimed = tasks(config)
    assert len(ids) == len(set(ids)) == 1000  # none queued twice
    assert sorted(ids) == sorted(t.id for t in claimed)
    assert {t.name for t in claimed} == names  # each claimed once
    assert inbox_files(config) == []  # none left behind


def test_dropped_folder_is_a_batch_and_keeps_its_structure(make_config, daemon, conn, run_worker, tmp_path):
    config = make_config(ingest={"rescan_seconds": 1})
    daemon(config)
    drop = tmp_path / "Tax 2025"
    (drop / "receipts").mkdir(parents=True)
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), drop / "letter.tif")
    shutil.copy(corpus("tesseract/HelloGoogle.tif"), drop / "receipts" / "r1.tif")
    shutil.move(drop, config.paths.inbox / "normal" / "Tax 2025")  # one rename, as a drop

    wait_queued(conn, 2)
    claimed = tasks(config)
    assert {(t.relpath, t.name) for t in claimed} == {("Tax 2025", "letter.tif"),
                                                      ("Tax 2025/receipts", "r1.tif")}
    (batch_id,) = {t.batch for t in claimed}
    assert batch_id

    run_worker()

    outbox = config.paths.outbox / "Tax 2025"
    assert json.loads((outbox / "letter.json").read_text())["source"]["batch"] == batch_id
    assert "Hello" in (outbox / "receipts" / "r1.txt").read_text()
    shown = docvault("status", "--batch", batch_id).stdout
    assert "Tax 2025" in shown and "2 file(s): COMPLETED 2" in shown
    wait_for(lambda: not (config.paths.inbox / "normal" / "Tax 2025").exists(),
             what="the consumed batch folder to leave the inbox")


def test_watch_command_exits_non_zero_when_it_cannot_watch(make_config):
    config = make_config()
    config.paths.inbox.write_text("a file where the inbox folder should be")

    proc = docvault("watch", check=False, timeout=60)
    assert proc.returncode == 2
    assert "cannot watch" in proc.stderr and "ingest.polling" in proc.stderr


def test_own_markers_and_gitkeep_are_not_news(make_config, daemon, conn, caplog, tmp_path):
    config = make_config()
    for priority in ("high", "normal", "low"):
        (config.paths.inbox / priority).mkdir(parents=True)
        (config.paths.inbox / priority / ".gitkeep").touch()
    drop = tmp_path / "Scans"
    drop.mkdir()
    (drop / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (drop / "b.pdf").write_bytes(b"%PDF-1.4\n% b\n%%EOF\n")
    caplog.set_level(logging.INFO, logger="ingest.watcher")
    running = daemon(config)
    shutil.move(drop, config.paths.inbox / "normal" / "Scans")

    wait_queued(conn, 2)
    running.watcher.scan()  # the marker is there now: a rescan sees it
    (config.paths.inbox / "normal" / ".DS_Store").write_bytes(b"finder")
    wait_for(lambda: ".DS_Store: ignored" in caplog.text, what="the .DS_Store to be logged")
    assert ".gitkeep" not in caplog.text and ".docvault-batch" not in caplog.text
