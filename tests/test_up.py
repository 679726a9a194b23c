"""`docvault up` as a real process: the whole appliance, stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading

from tests.conftest import REPO, _free_port, corpus, wait_for


def test_up_processes_a_drop_and_stops_cleanly_on_ctrl_c(make_config):
    config = make_config(worker={"count": 1})
    proc = subprocess.Popen([sys.executable, "-m", "docvault.cli", "up"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ))
    try:
        wait_for(lambda: (config.paths.inbox / "normal").is_dir(), what="the inboxes")
        shutil.copy(corpus("paperless-ngx/simple.png"), config.paths.inbox / "normal" / "scan.png")
        wait_for(lambda: (config.paths.outbox / "scan.json").exists(), timeout=60,
                 what="the outbox JSON")
        assert json.loads((config.paths.outbox / "scan.json").read_text())["page_count"] == 1
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "stopping" in out


def test_the_redis_password_is_never_logged(make_config, monkeypatch):
    password = "hunter2-redis-password-0123456789"
    url = f"redis://:{password}@127.0.0.1:{_free_port()}/0"  # nothing answers there
    make_config(worker={"count": 1}, redis={"url": url})
    monkeypatch.setenv("REDIS_URL", url)
    proc = subprocess.Popen([sys.executable, "-m", "docvault.cli", "up"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ))
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        wait_for(lambda: any("does not answer yet" in line for line in lines), timeout=30,
                 what="the warning about Redis")
        wait_for(lambda: any("DocVault is running" in line for line in lines), timeout=30,
                 what="the parts to start")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        reader.join(timeout=10)
    out = "".join(lines)
    assert "redis://***@127.0.0.1" in out
    assert password not in out
