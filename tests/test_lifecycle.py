"""A task's life through real `docvault worker` processes, real Redis and real tesseract:
retries, permanent failures, warm shutdown, a killed worker, a restarted Redis."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer

from docvault.core import status
from docvault.core.status import TaskState
from ingest import queue
from tests.conftest import REPO, _free_port, corpus, kill_worker, wait_for

SIMPLE = "paperless-ngx/simple.png"
SIMPLE_OUTPUTS = ["simple.json", "simple.pdf", "simple.png", "simple.txt"]


def _state(conn: Redis, task_id: str) -> TaskState | None:
    record = status.get_status(conn, task_id)
    return None if record is None else record.state


def _final(conn: Redis, task_id: str, timeout: float = 60) -> status.TaskStatus:
    wait_for(lambda: (_state(conn, task_id) or TaskState.QUEUED).is_final, timeout, f"task {task_id} to end")
    return status.get_status(conn, task_id)


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return out


def _outbox_files(config) -> list[str]:
    return sorted(p.name for p in config.paths.outbox.iterdir() if p.is_file())


def _worker_in_tesseract(make_config, submit, start_worker, state_dir: Path):
    """A worker process held in a slow tesseract on a queued simple.png."""
    config = make_config(pipeline={"tesseract_cmd": str(REPO / "tests" / "tesseract_slow.sh")})
    task = submit(config, corpus(SIMPLE))
    worker = start_worker()
    wait_for(lambda: list(state_dir.glob("started-*")), what="tesseract to start")
    return config, task, worker


def test_transient_failure_is_retried_then_completes(make_config, conn, submit, start_worker, state_dir):
    config = make_config(pipeline={"tesseract_cmd": str(REPO / "tests" / "tesseract_flaky.sh")})
    task = submit(config, corpus(SIMPLE))
    worker = start_worker()

    record = _final(conn, task.id)
    _stop(worker)

    assert (state_dir / "crashed").exists(), "the first tesseract run did not crash"
    assert record.state is TaskState.COMPLETED, record
    assert record.fields["attempts"] == "2"
    assert _outbox_files(config) == SIMPLE_OUTPUTS
    job = Job.fetch(task.id, connection=conn, serializer=JSONSerializer)
    assert job.get_status() == "finished" and job.retries_left == config.worker.max_retries - 1


def test_permanent_failure_is_not_retried(make_config, conn, submit, run_worker):
    config = make_config()
    task = submit(config, corpus("ocrmypdf/invalid.pdf"), name="broken.pdf")

    run_worker()

    record = status.get_status(conn, task.id)
    assert record.state is TaskState.FAILED and record.fields["attempts"] == "1"
    job = Job.fetch(task.id, connection=conn, serializer=JSONSerializer)
    assert job.get_status() == "failed" and job.retries_left == 0
    failed = config.paths.failed
    assert sorted(p.name for p in failed.iterdir()) == ["broken.pdf", "broken.pdf.error.json"]
    error = json.loads((failed / "broken.pdf.error.json").read_text())
    assert error["error"] == "CorruptFile" and error["attempts"] == 1 and error["task_id"] == task.id
    assert "damaged" in error["message"] and "Traceback" in error["traceback"]
    assert (failed / "broken.pdf").read_bytes() == corpus("ocrmypdf/invalid.pdf").read_bytes()
    assert not (config.paths.tasks / task.id).exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_finishes_the_current_task_then_exits(
    make_config, conn, submit, start_worker, state_dir, signum
):
    config, task, worker = _worker_in_tesseract(make_config, submit, start_worker, state_dir)

    worker.send_signal(signum)  # to the worker only, as an init system does
    worker.communicate(timeout=60)

    assert worker.returncode == 0
    record = status.get_status(conn, task.id)
    assert record.state is TaskState.COMPLETED and record.fields["attempts"] == "1"
    assert _outbox_files(config) == SIMPLE_OUTPUTS


def test_job_timeout_fails_at_once_with_its_reason(make_config, conn, submit, run_worker, state_dir, monkeypatch):
    """A document that outlasts its time limit would outlast it again: no retry."""
    config = make_config(worker={"max_retries": 1, "retry_delays": [0]},
                         pipeline={"tesseract_cmd": str(REPO / "tests" / "tesseract_slow.sh")})
    monkeypatch.setattr(queue, "job_timeout", lambda pages, config: 2)  # tesseract waits 3 s
    task = submit(config, corpus(SIMPLE))

    run_worker()

    assert len(list(state_dir.glob("started-*"))) == 1
    record = status.get_status(conn, task.id)
    assert record.state is TaskState.FAILED and record.fields["attempts"] == "1"
    error = json.loads((config.paths.failed / "simple.png.error.json").read_text())
    assert (error["error"], error["reason"], error["attempts"]) == ("LimitExceeded", "limit", 1)
    assert "time limit of 2 s" in error["message"] and "JobTimeoutException" in error["traceback"]


def test_sigkill_mid_task_is_recovered_with_one_set_of_outputs(
    make_config, conn, submit, start_worker, run_worker, state_dir
):
    config, task, worker = _worker_in_tesseract(make_config, submit, start_worker, state_dir)
    worker_name = Job.fetch(task.id, connection=conn, serializer=JSONSerializer).worker_name

    kill_worker(worker.pid)
    worker.communicate(timeout=30)
    assert _state(conn, task.id) is TaskState.PROCESSING
    wait_for(lambda: not status.is_worker_alive(conn, worker_name), 10, "the dead worker to go silent")
    run_worker()

    record = status.get_status(conn, task.id)
    assert record.state is TaskState.COMPLETED and record.fields["attempts"] == "2"
    assert len(list(state_dir.glob("started-*"))) == 2
    assert _outbox_files(config) == SIMPLE_OUTPUTS
    assert json.loads((config.paths.outbox / "simple.json").read_text())["task_id"] == task.id


class RedisServer:
    """A redis-server of this test's own, on a free port, that can be stopped and started
    again with its data (append-only file, fsync always): never the shared one."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: _answers(self.url), 10, "the test's redis-server to answer")

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except OSError:
        return False
    except Exception:  # noqa: BLE001 - redis-py's ConnectionError while it starts
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.stop()


def test_redis_restarted_mid_run_loses_nothing(
    make_config, own_redis, start_worker, state_dir, monkeypatch
):
    from docvault.core.config import load_config
    from ingest.watcher import Watcher

    make_config(ingest={"rescan_seconds": 1},
                pipeline={"tesseract_cmd": str(REPO / "tests" / "tesseract_slow.sh")})
    monkeypatch.setenv("REDIS_URL", own_redis.url)
    config = load_config()
    conn = Redis.from_url(own_redis.url, socket_connect_timeout=1, socket_timeout=5)
    stop = threading.Event()
    daemon = Watcher(config, Redis.from_url(own_redis.url, socket_connect_timeout=1, socket_timeout=5))
    thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
    thread.start()
    assert daemon.ready.wait(10)
    worker = start_worker()
    try:
        shutil.copy(corpus(SIMPLE), config.paths.inbox / "normal" / "first.png")
        wait_for(lambda: list(state_dir.glob("started-*")), what="tesseract to start on the first file")

        own_redis.stop()  # mid-task: the worker is in tesseract, the daemon idle
        shutil.copy(corpus(SIMPLE), config.paths.inbox / "normal" / "second.png")
        wait_for(lambda: len(list(config.paths.tasks.iterdir())) == 2, what="the second file to be claimed")
        own_redis.start()

        def all_done() -> bool:
            ids = [p.name for p in config.paths.tasks.iterdir()] if config.paths.tasks.exists() else []
            states = [s.state for s in status.list_tasks(conn)]
            return not ids and len(states) == 2 and all(s is TaskState.COMPLETED for s in states)

        wait_for(all_done, 60, "both tasks to complete after the restart")
    except AssertionError as exc:
        states = {s.task_id: (s.state.value, s.message) for s in status.list_tasks(conn)}
        raise AssertionError(f"{exc}\nstates: {states}\nworker log:\n{_stop(worker)}") from None
    finally:
        stop.set()
        thread.join(timeout=10)
        out = _stop(worker) if worker.poll() is None else ""
    assert _outbox_files(config) == ["first.json", "first.pdf", "first.png", "first.txt",
                                     "second.json", "second.pdf", "second.png", "second.txt"], out
