"""docvault/web/dashboard.py: rq-dashboard's real Flask app on the real Redis after a real
run; served by `docvault dashboard` (waitress) and looked at in headless Chromium."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from rq.job import Job
from rq.serializers import JSONSerializer

from docvault.core import jobs
from docvault.core.errors import ConfigError
from docvault.web import dashboard
from tests.conftest import REPO, _free_port, corpus, docvault, wait_for

XSS = "<img src=x onerror=alert(1)>"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,800", "--virtual-time-budget=10000"]


def _pages(client, job_ids: list[str]) -> dict[str, str]:
    urls = ["/0/view/queues", "/0/view/workers", "/0/data/queues.json", "/0/data/workers.json"]
    for queue in ("normal",):
        for registry in ("queued", "finished", "failed"):
            urls += [f"/0/view/jobs/{queue}/{registry}/8/asc/1", f"/0/data/jobs/{queue}/{registry}/8/asc/1.json"]
    for job_id in job_ids:
        urls += [f"/0/view/job/{job_id}", f"/0/data/job/{job_id}.json"]
    pages = {}
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    return pages


def test_a_file_name_with_markup_never_reaches_the_dashboard(make_config, conn, submit, run_worker):
    config = make_config()
    good = submit(config, corpus("paperless-ngx/simple.png"), name=f"{XSS}.png")
    bad = submit(config, corpus("ocrmypdf/invalid.pdf"), name=f"{XSS}.pdf")
    run_worker()

    pages = _pages(dashboard.make_app(config).test_client(), [good.id, bad.id])

    assert good.id in pages[f"/0/data/job/{good.id}.json"]
    assert "failed" in pages[f"/0/data/job/{bad.id}.json"]  # its error is shown, by task id
    for url, body in pages.items():
        assert "<img" not in body and "onerror=" not in body and "\\u003cimg" not in body, url


def test_each_job_is_described_by_its_file_name(make_config, conn, submit):
    config = make_config()
    plain = submit(config, corpus("paperless-ngx/simple.png"), name="Invoice 2024-03 ACME.pdf")
    marked = submit(config, corpus("paperless-ngx/simple.png"), name=f'Müller & "Söhne" {XSS}.png',
                    priority="high")

    def description(task_id: str) -> str:
        return Job.fetch(task_id, connection=conn, serializer=JSONSerializer).description

    assert description(plain.id) == "Invoice 2024-03 ACME.pdf (normal)"
    assert description(marked.id) == "Müller Söhne img src x onerror alert(1) .png (high)"


Serve = Callable[..., str]


@pytest.fixture
def served(make_config) -> Iterator[Serve]:
    """`docvault dashboard` as a real process on a free loopback port; returns its URL."""
    procs: list[subprocess.Popen] = []

    def start(**env: str) -> str:
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "docvault.cli", "dashboard", "--port", str(port)],
                                cwd=REPO, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            assert proc.poll() is None, proc.stderr.read()
            try:
                requests.head(base, timeout=1)  # any answer: it listens
                return True
            except requests.ConnectionError:
                return False

        wait_for(answers, timeout=20, what="the dashboard to answer")
        return base

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def _browse(url: str, tmp_path: Path, *args: str) -> str:
    """Headless Chromium, a fresh profile each time; returns what it printed."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not installed: `make test` installs it (install-system-packages.sh --test)"
    profile = tmp_path / f"chromium-{len(list(tmp_path.glob('chromium-*')))}"
    proc = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_page_works_in_a_browser(make_config, conn, submit, served, tmp_path):
    config = make_config()
    task = submit(config, corpus("paperless-ngx/simple.png"), name=f"Invoice {XSS}.png")
    base = served()
    for asset in ("/static/css/bootstrap.min.css", "/static/js/jquery-3.5.1.min.js"):
        assert requests.get(base + asset, timeout=10).status_code == 200, asset

    queues = _browse(f"{base}/0/view/queues", tmp_path, "--dump-dom")
    assert "Loading..." not in queues
    assert "<td>normal</td>" in queues  # its row, filled in by the page's script
    jobs_page = _browse(f"{base}/0/view/jobs/normal/queued/8/asc/1", tmp_path, "--dump-dom")
    assert task.id in jobs_page and "Invoice img src x onerror alert(1) .png (normal)" in jobs_page
    assert "<img" not in jobs_page and "onerror=" not in jobs_page
    screenshot = tmp_path / "queues.png"
    _browse(f"{base}/0/view/queues", tmp_path, f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 10_000  # a rendered page, not a blank one


def test_changes_only_from_the_dashboards_own_page(make_config, conn, submit, served):
    config = make_config()
    submit(config, corpus("paperless-ngx/simple.png"))
    base = served()
    empty = f"{base}/queue/normal/queued/empty"  # what the page posts to empty a queue
    queue = jobs.get_queue(conn, "normal")

    for headers in ({"Origin": "http://evil.example"}, {"Referer": "http://evil.example/page"},
                    {"Origin": "null"}, {}):
        refused = requests.post(empty, headers=headers, timeout=10)
        assert refused.status_code == 403 and "own page" in refused.text, headers
    assert queue.count == 1
    assert requests.post(empty, headers={"Origin": base}, timeout=10).status_code == 200
    assert queue.count == 0


def test_login_is_required_when_configured(make_config, served):
    make_config()
    base = served(DASHBOARD_USERNAME="owner", DASHBOARD_PASSWORD="s3cret")
    url = f"{base}/0/data/queues.json"
    assert requests.get(url, timeout=10).status_code == 401
    login = base64.b64encode(b"owner:s3cret").decode()
    assert requests.get(url, headers={"Authorization": f"Basic {login}"}, timeout=10).status_code == 200
    foreign = base64.b64encode("Jörg:s3cret".encode()).decode()  # non-ASCII: refused, not a 500
    assert requests.get(url, headers={"Authorization": f"Basic {foreign}"}, timeout=10).status_code == 401


def test_refuses_to_listen_beyond_loopback_without_a_login(make_config):
    config = make_config()
    with pytest.raises(ConfigError, match="dashboard.username"):
        dashboard.serve(config, "0.0.0.0", 9181)
    result = docvault("dashboard", "--host", "0.0.0.0", check=False)
    assert result.returncode == 2 and "dashboard.password" in result.stderr


@pytest.mark.parametrize(("password", "why"), [("change-me-too", "placeholder from .env.example"),
                                               ("s3cret", "shorter than 16 characters")])
def test_refuses_a_placeholder_or_short_password_beyond_loopback(make_config, monkeypatch, password, why):
    make_config()
    monkeypatch.setenv("DASHBOARD_USERNAME", "admin")
    monkeypatch.setenv("DASHBOARD_PASSWORD", password)
    result = docvault("dashboard", "--host", "0.0.0.0", check=False)
    assert result.returncode == 2 and why in result.stderr
