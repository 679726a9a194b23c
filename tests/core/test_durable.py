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


def test_write_never_goes_through_a_link_left_under_the_temporary_name(tmp_path):
    precious = tmp_path / "precious"
    precious.write_text("keep")
    (tmp_path / ".marker.part").symlink_to(precious)

    durable.write_bytes(tmp_path / "marker", b"new")

    assert precious.read_text() == "keep" and (tmp_path / "marker").read_bytes() == b"new"
