"""Real parts for the tests: a real Redis (its own database, never another), real RQ
worker processes, real tesseract, the shared corpus."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageDraw
from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job
from rq.serializers import JSONSerializer

from bench.labeled import load_font
from docvault.core.config import Config, load_config
from docvault.core.task import Task, new_task_id

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("DOCVAULT_CORPUS", REPO.parent / "shared" / "corpus"))
TEST_DB = int(os.environ.get("DOCVAULT_TEST_REDIS_DB", "15"))
MARKER = "docvault:test-database"  # set in the db these tests own; never flush one without it


def corpus(relpath: str) -> Path:
    path = CORPUS / relpath
    assert path.exists(), f"corpus file {relpath} missing: is ../shared/corpus beside the repo?"
    return path


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_base_url() -> Iterator[str]:
    """REDIS_URL if set, else 127.0.0.1:6379 if it answers, else our own redis-server."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    if _answers(url):
        yield url.rsplit("/", 1)[0] if url.count("/") > 2 else url
        return
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="docvault-redis-")
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", tmp],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not _answers(url):
        assert time.monotonic() < deadline, "could not start a redis-server for the tests"
        time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(redis_base_url: str) -> str:
    url = f"{redis_base_url}/{TEST_DB}"
    conn = Redis.from_url(url)
    if conn.dbsize() and not conn.exists(MARKER):
        pytest.exit(f"Redis database {TEST_DB} holds data that is not from these tests; "
                     "set DOCVAULT_TEST_REDIS_DB to a free database number", returncode=3)
    return url


@pytest.fixture
def conn(redis_url: str) -> Iterator[Redis]:
    """The tests' own database, emptied before each test (and only that one)."""
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    conn.set(MARKER, "1")
    yield conn
    conn.close()


Configure = Callable[..., Config]


@pytest.fixture
def make_config(tmp_path: Path, redis_url: str, conn: Redis, monkeypatch: pytest.MonkeyPatch) -> Configure:
    """Write a config.yaml for this test (folders in tmp_path), point DOCVAULT_CONFIG and
    REDIS_URL at it, and load it. Keyword arguments are `section={key: value}`."""

    def configure(**sections: dict) -> Config:
        raw = {
            "redis": {"url": redis_url},
            "paths": {"inbox": "inbox", "outbox": "outbox", "work": "work"},
            "ingest": {"settle_seconds": 0.3},
            "worker": {"retry_delays": [1], "heartbeat_seconds": 1},
            "categories": yaml.safe_load((REPO / "config.yaml").read_text())["categories"],
        }
        for name, values in sections.items():
            raw.setdefault(name, {}).update(values)
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(raw))
        monkeypatch.setenv("DOCVAULT_CONFIG", str(path))
        monkeypatch.setenv("REDIS_URL", redis_url)
        for var in ("INBOX_DIR", "OUTBOX_DIR", "UPLOAD_DIR", "WORKER_MAX_RETRIES",
                    "TESSERACT_LANGUAGES", "WORKER_POLL_INTERVAL", "NOTIFY_WEBHOOK_URL",
                    "NOTIFY_WEBHOOK_SECRET", "DASHBOARD_HOST", "DASHBOARD_PORT",
                    "DASHBOARD_USERNAME", "DASHBOARD_PASSWORD"):
            monkeypatch.delenv(var, raising=False)
        return load_config()

    return configure


def docvault(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process, with this test's environment."""
    proc = subprocess.run([sys.executable, "-m", "docvault.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)
    if check and proc.returncode != 0:
        raise AssertionError(f"docvault {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture
def run_worker() -> Callable[[], subprocess.CompletedProcess]:
    """A real `docvault worker --burst` process: drains the queues, then exits."""
    return lambda: docvault("worker", "--burst", timeout=300)


@pytest.fixture
def run_notifier() -> Callable[[], subprocess.CompletedProcess]:
    """A real `docvault notifier --burst` process: posts the queued webhooks, then exits."""
    return lambda: docvault("notifier", "--burst", timeout=120)


@pytest.fixture
def watcher(make_config: Configure, conn: Redis) -> Iterator[Callable[..., Config]]:
    """Start the real ingest daemon (watchdog observer) in a thread for this test."""
    from ingest.watcher import Watcher

    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start(**sections: dict) -> Config:
        config = make_config(**sections)
        daemon = Watcher(config, conn)
        thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
        thread.start()
        threads.append(thread)
        assert daemon.ready.wait(10), "the watcher did not start"
        return config

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)


def text_image(lines: list[str], size: tuple[int, int] = (1700, 1100)) -> Image.Image:
    """A clean page of text, large enough for tesseract to read it exactly."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = load_font(40)
    for n, line in enumerate(lines):
        draw.text((100, 80 + n * 80), line, fill=0, font=font)
    return image


def bomb_tiff() -> bytes:
    """A TIFF header alone declaring a 20000 x 10000 image: Pillow's DecompressionBombError."""
    entries = [(256, 4, 1, 20000), (257, 4, 1, 10000), (258, 3, 1, 1), (259, 3, 1, 1), (262, 3, 1, 0),
               (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, 10000), (279, 4, 1, 25_000_000)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0)


def job_started_at(conn: Redis, task_id: str) -> object:
    """When an RQ worker started the task's job: the order the queues were served in."""
    return Job.fetch(task_id, connection=conn, serializer=JSONSerializer).started_at


def wait_for(predicate: Callable[[], object], timeout: float = 30, what: str = "condition") -> object:
    """Poll a cheap predicate until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def submit(conn: Redis) -> Callable[..., Task]:
    """Claim a copy of `source` (as `name`) into the work folder and queue it through the
    Intake, as the watcher would; returns the task."""
    from ingest import spool
    from ingest.intake import Intake

    def submit_file(config: Config, source: Path, name: str | None = None, priority: str = "normal",
                    batch: str | None = None, relpath: str | None = None):
        drop = config.paths.inbox / priority / (name or source.name)
        drop.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, drop)
        intake = Intake(conn, config)
        task = intake.finish(spool.start_claim(drop, new_task_id(), priority, config.paths.tasks, batch, relpath))
        intake.dispatch(task)
        return task

    return submit_file


@pytest.fixture
def start_worker() -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real `docvault worker` processes (own session: the tests signal them like an
    init system would); any still running at the end are stopped and reaped."""
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "docvault.cli", "worker", *args], cwd=REPO,
                                start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the test tesseract scripts leave their marks (inherited by the workers)."""
    folder = tmp_path / "tesseract-state"
    folder.mkdir()
    monkeypatch.setenv("DOCVAULT_TEST_STATE", str(folder))
    return folder


def kill_worker(pid: int) -> None:
    """SIGKILL a worker and its work horse with tesseract (the horse has its own process
    group), as a power cut or the OOM killer taking the container would."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for group in {os.getpgid(p) for p in [pid, *map(int, children)]}:
        os.killpg(group, signal.SIGKILL)


@pytest.fixture
def other_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A folder on another filesystem than tmp_path (a world-writable tmpfs), for the
    copy-fsync-unlink path of a move across filesystems (EXDEV)."""
    for line in Path("/proc/mounts").read_text().splitlines():
        mount, fstype = line.split()[1:3]
        info = os.stat(mount)
        if fstype == "tmpfs" and info.st_mode & 0o1777 == 0o1777 and info.st_dev != tmp_path.stat().st_dev:
            folder = Path(tempfile.mkdtemp(prefix="docvault-test-", dir=mount))
            yield folder
            shutil.rmtree(folder)
            return
    pytest.skip("needs a world-writable tmpfs (such as /dev/shm) on another filesystem than the tests' folder")
