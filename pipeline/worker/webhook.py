"""Webhooks: a signed POST to notify.webhook_url when a task completes or fails.

The POST is its own RQ job on the `notify` queue, so a slow or dead receiver never holds
up or fails the OCR task; RQ retries it with the configured pauses. The body is signed
with HMAC-SHA256 of the shared secret, so the receiver can tell it came from here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request

from redis import Redis
from redis.exceptions import RedisError
from rq import Retry, get_current_job

from docvault.core import jobs, status
from docvault.core.config import Config, NotifySettings, load_config

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-DocVault-Signature"


def schedule(conn: Redis, config: Config, task_id: str) -> None:
    """Queue the POST about `task_id`'s final state. Never raises: a webhook is a courtesy."""
    settings = config.notify
    if not settings.webhook_url:
        return
    retries = len(settings.retry_delays)
    try:
        jobs.notify_queue(conn).enqueue(
            jobs.NOTIFY_FUNCTION,
            task_id,
            description=f"webhook for task {task_id}",
            job_timeout=int(settings.timeout_seconds) + 30,
            result_ttl=config.results.result_ttl,
            failure_ttl=config.results.status_ttl,
            retry=Retry(max=retries, interval=list(settings.retry_delays)) if retries else None,
        )
    except RedisError as exc:
        log.warning("%s: webhook not queued (Redis: %s)", task_id, exc)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def summary(conn: Redis, task_id: str) -> dict[str, object]:
    record = status.get_status(conn, task_id)
    if record is None:
        return {"task_id": task_id, "status": "UNKNOWN"}
    return record.to_dict()


def post(settings: NotifySettings, body: dict[str, object]) -> int:
    """One POST; raises (so RQ retries) on no answer or an answer other than 2xx."""
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    request = urllib.request.Request(
        settings.webhook_url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "DocVault-Ingest",
                 SIGNATURE_HEADER: sign(settings.webhook_secret, data)},
    )
    with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as response:
        return response.status


def deliver(task_id: str) -> int:
    """What RQ calls on the notify queue; returns the receiver's HTTP status."""
    config = load_config()
    job = get_current_job()
    assert job is not None, "pipeline.worker.webhook.deliver is meant to be called by an RQ worker"
    code = post(config.notify, summary(job.connection, task_id))
    log.info("%s: webhook delivered (HTTP %d)", task_id, code)
    return code
