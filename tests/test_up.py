"""`docvault up` as a real process: the whole appliance, stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

from tests.conftest import REPO, corpus, wait_for


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
