"""What a real worker's log says about each document: one line for a failure DocVault
expects, no RQ traceback for it, and none of RQ's four lines per job."""

from __future__ import annotations

from tests.conftest import corpus


def test_expected_failure_is_one_line_and_rq_per_job_lines_are_debug(make_config, conn, submit, run_worker):
    config = make_config()
    locked = submit(config, corpus("paperless-ngx/encrypted.pdf"), name="locked.pdf")
    good = submit(config, corpus("paperless-ngx/simple.png"))

    out = run_worker()

    log = out.stdout + out.stderr
    about_locked = [line for line in log.splitlines() if locked.id in line]
    assert about_locked == [next(line for line in about_locked if "ERROR" in line)], log
    assert "locked.pdf: failed: locked.pdf is password-protected" in about_locked[0]
    assert "Traceback" not in log and "TaskFailed" not in log
    for rq_line in ("Job OK", "Successfully completed", "result is kept for", f"normal: {good.id}"):
        assert rq_line not in log
    assert f"{good.id} simple.png: done" in log
