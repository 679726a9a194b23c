"""docvault/web/dashboard.py: rq-dashboard's real Flask app on the real Redis after a real run."""

from __future__ import annotations

import base64

import pytest

from docvault.core.errors import ConfigError
from docvault.web import dashboard
from tests.conftest import corpus, docvault

XSS = "<img src=x onerror=alert(1)>"


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
        assert "onerror" not in body and "<img" not in body, url


def test_login_is_required_when_configured(make_config):
    config = make_config(dashboard={"username": "owner", "password": "s3cret"})
    client = dashboard.make_app(config).test_client()
    assert client.get("/0/data/queues.json").status_code == 401
    login = base64.b64encode(b"owner:s3cret").decode()
    assert client.get("/0/data/queues.json", headers={"Authorization": f"Basic {login}"}).status_code == 200


def test_refuses_to_listen_beyond_loopback_without_a_login(make_config):
    config = make_config()
    with pytest.raises(ConfigError, match="dashboard.username"):
        dashboard.serve(config, "0.0.0.0", 9181)
    result = docvault("dashboard", "--host", "0.0.0.0", check=False)
    assert result.returncode == 2 and "dashboard.password" in result.stderr
