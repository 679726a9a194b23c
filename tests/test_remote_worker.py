"""A worker on a second machine: another hostname, the share mounted at a path of its own,
the same Redis. Real `docvault worker` processes, real Redis, real tesseract.

The "other machine" is a worker in its own UTS and mount namespaces (unshare): its
hostname is pc-remote, and it sees the share only through a bind mount at another path,
which the rest of the test cannot see through. A path one machine wrote into Redis or a
sidecar would therefore name nothing on the other.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from redis import Redis

from docvault import stats
from docvault.web import dashboard
from docvault.core import status
from docvault.core.outbox import NOT_FILES
from docvault.core.status import TaskState
from tests.conftest import REPO, corpus, docvault, kill_worker, wait_for

REMOTE_HOST = "pc-remote"


def _namespaces() -> list[str]:
    """The unshare command that gives a process its own hostname and mounts: as root
    directly, else in a user namespace where this user is root."""
    for prefix in (["unshare", "--mount", "--uts"],
                   ["unshare", "--user", "--map-root-user", "--mount", "--uts"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except FileNotFoundError:
            break
    pytest.skip("needs unshare with mount and UTS namespaces (root, or user namespaces enabled): "
                "the second machine's hostname and its own mount of the share")


def _remote_worker(share: Path, mount: Path, config: Path) -> subprocess.Popen:
    """`docvault worker` as pc-remote, reading and writing the share through `mount`."""
    script = (f"mount --bind {shlex.quote(str(share))} {shlex.quote(str(mount))}"
              f" && hostname {REMOTE_HOST}"
              f" && exec {shlex.quote(sys.executable)} -m docvault.cli worker")
    env = {**os.environ, "DOCVAULT_CONFIG": str(config), "DOCVAULT_TEST_DELAY": "2"}
    return subprocess.Popen([*_namespaces(), "sh", "-c", script], cwd=REPO, env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


@pytest.fixture
def start_remote() -> Iterator[Callable[[Path, Path, Path], subprocess.Popen]]:
    """Start pc-remote workers; any still running at the end are killed and reaped."""
    procs: list[subprocess.Popen] = []

    def start(share: Path, mount: Path, config: Path) -> subprocess.Popen:
        procs.append(_remote_worker(share, mount, config))
        return procs[-1]

    yield start
    for proc in procs:
        if proc.poll() is None:
            kill_worker(proc.pid)
        proc.communicate(timeout=30)


def _processing_on(conn: Redis, host: str, not_by: str = "") -> status.TaskStatus | None:
    for record in status.list_tasks(conn, TaskState.PROCESSING):
        if record.fields.get("host") == host and record.fields.get("worker") != not_by:
            return record
    return None


def _is_relative(path: str) -> bool:
    return not Path(path).is_absolute() and ".." not in Path(path).parts


def test_a_second_machine_drains_the_same_queue_and_a_kill_there_is_recovered(
    tmp_path, make_config, conn, submit, start_worker, start_remote, state_dir
):
    share = tmp_path / "share"
    config = make_config(paths={"inbox": "share/inbox", "outbox": "share/outbox", "work": "share/work"})
    mount = tmp_path / "pc-mount"  # empty here; the share inside pc-remote's mount namespace
    mount.mkdir()
    remote_config = tmp_path / "pc-remote.yaml"
    raw = yaml.safe_load((tmp_path / "config.yaml").read_text())
    raw["paths"] = {"inbox": str(mount / "inbox"), "outbox": str(mount / "outbox"), "work": str(mount / "work")}
    raw["pipeline"] = {**raw.get("pipeline", {}), "tesseract_cmd": str(REPO / "tests" / "tesseract_slow.sh")}
    remote_config.write_text(yaml.safe_dump(raw))

    tasks = [submit(config, corpus("paperless-ngx/simple.png"), name=f"scan-{n}.png") for n in range(4)]
    tasks.append(submit(config, corpus("tesseract/phototest.tif")))
    broken = submit(config, corpus("ocrmypdf/invalid.pdf"))
    for task in [*tasks, broken]:
        manifest = (config.paths.tasks / task.id / "task.json").read_text()
        assert str(tmp_path) not in manifest

    # pc-remote takes the first task; it is killed in the middle of it.
    remote = start_remote(share, mount, remote_config)
    first = wait_for(lambda: _processing_on(conn, REMOTE_HOST), 60, "pc-remote to start a task")
    killed_worker = first.fields["worker"]
    assert killed_worker.startswith(f"{REMOTE_HOST}.")
    alive = wait_for(lambda: [w for w in stats.collect(conn).workers if w.host == REMOTE_HOST and w.alive],
                     10, "pc-remote's heartbeat")
    assert [w.name for w in alive] == [killed_worker]
    page = dashboard.make_app(config).test_client().get("/0/data/workers.json", follow_redirects=True)
    assert page.status_code == 200, (page.status_code, page.get_data(as_text=True)[:300])
    shown = json.loads(page.get_data(as_text=True))["workers"]
    assert killed_worker in [w["name"] for w in shown]  # rq-dashboard's Workers page
    wait_for(lambda: list(state_dir.glob("started-*")), 30, "pc-remote's tesseract to start")
    manifest = json.loads((config.paths.tasks / first.task_id / "task.json").read_text())
    assert manifest["attempts"] == 1 and str(mount) not in json.dumps(manifest)
    kill_worker(remote.pid)
    remote.communicate(timeout=30)
    wait_for(lambda: not status.is_worker_alive(conn, killed_worker), 10, "the killed worker to go silent")

    # pc-remote comes back and this machine's worker joins; together they drain the queue.
    remote = start_remote(share, mount, remote_config)
    wait_for(lambda: _processing_on(conn, REMOTE_HOST, not_by=killed_worker), 60,
             "the restarted pc-remote to take a task")
    local = start_worker()
    finals = {t.id: wait_for(lambda t=t: (r := status.get_status(conn, t.id)) and r.state.is_final and r,
                             180, f"task {t.name} to end")
              for t in [*tasks, broken]}
    for proc in (remote, local):
        kill_worker(proc.pid)
        proc.communicate(timeout=30)

    recovered = finals[first.task_id]
    assert recovered.state is TaskState.COMPLETED and recovered.fields["attempts"] == "2"
    sidecars = [json.loads(p.read_text()) for p in config.paths.outbox.glob("*.json")]
    assert [s["task_id"] for s in sidecars].count(first.task_id) == 1  # finished exactly once
    assert len(sidecars) == len(tasks)

    for task in tasks:
        record = finals[task.id]
        assert record.state is TaskState.COMPLETED, record.message
        result = status.get_result(conn, task.id)
        for outputs in (record.outputs, result["outputs"]):
            for path in (v for k, v in outputs.items() if v and k not in NOT_FILES):
                assert _is_relative(path), outputs
                assert (config.paths.outbox / path).is_file(), path
    failed = finals[broken.id]
    assert failed.state is TaskState.FAILED
    assert failed.outputs == {"error": "failed/invalid.pdf.error.json", "original": "failed/invalid.pdf"}
    assert str(tmp_path) not in (config.paths.outbox / failed.outputs["error"]).read_text()

    here = socket.gethostname()
    readers = {record.fields["host"] for record in finals.values()}
    assert readers == {REMOTE_HOST, here}
    assert {record.fields["worker"].rsplit(".", 1)[0] for record in finals.values()} == {REMOTE_HOST, here}
    by_host = stats.collect(conn).by_host
    assert set(by_host) == {REMOTE_HOST, here}
    assert sum(c.completed for c in by_host.values()) == len(tasks)
    assert sum(c.failed for c in by_host.values()) == 1
    printed = docvault("stats").stdout
    assert f"read on {REMOTE_HOST}: " in printed and f"read on {here}: " in printed
