from __future__ import annotations

import subprocess
import sys

from docvault.core import durable

TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a") as fh:
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(1)
"""


def test_lock_excludes_another_process_until_released(tmp_path):
    lock = tmp_path / "work" / "outbox-names.lock"

    def other_process_gets_it() -> bool:
        return subprocess.run([sys.executable, "-c", TRY_LOCK, str(lock)], timeout=30).returncode == 0

    with durable.locked(lock):
        assert not other_process_gets_it()
    assert other_process_gets_it()


def test_move_never_overwrites(tmp_path):
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    try:
        durable.move(tmp_path / "a", tmp_path / "b")
    except FileExistsError:
        pass
    assert (tmp_path / "b").read_text() == "b" and (tmp_path / "a").exists()
