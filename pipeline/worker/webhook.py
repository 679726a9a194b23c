"""Webhooks: a signed POST to notify.webhook_url when a task completes or fails.

The POST is its own RQ job on the `notify` queue, which only `docvault notifier` serves:
an OCR worker never waits for a receiver, however slow or silent; RQ retries the POST
with the configured pauses. The body is signed like Stripe's webhooks:
`X-DocVault-Signature: t=<Unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, so a
receiver can tell it came from here and refuse a replay of an old one (`verify`).
Nothing the receiver says (its reason phrase, its body) reaches the job's result or
error, which rq-dashboard shows unescaped: only its status code does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import Retry, get_current_job

from docvault.core import jobs, outbox, status
from docvault.core.config import Config, NotifySettings, current_config
from docvault.core.errors import DocVaultError

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-DocVault-Signature"
REPLAY_TOLERANCE = 300  # seconds: how old a signed POST `verify` accepts by default


class WebhookFailed(DocVaultError):
    reason = "webhook"
    transient = True


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
            job_timeout=int(settings.timeout_seconds) * 2 + 10,
            result_ttl=config.results.result_ttl,
            failure_ttl=config.results.status_ttl,
            retry=Retry(max=retries, interval=list(settings.retry_delays)) if retries else None,
        )
    except RedisError as exc:
        log.warning("%s: webhook not queued (Redis: %s)", task_id, exc)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: float | None = None,
           tolerance: float = REPLAY_TOLERANCE) -> bool:
    """What a receiver checks: the signature is ours, over this body, and not older than
    `tolerance` seconds (a replayed POST is refused)."""
    parts = dict(item.partition("=")[::2] for item in header.split(","))
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).partition(",v1=")[2]
    return hmac.compare_digest(expected.encode(), parts.get("v1", "").encode())


def summary(conn: Redis, task_id: str, outbox_dir: Path) -> dict[str, object]:
    """The task's status record, its outputs named inside the outbox (no server paths)."""
    record = status.get_status(conn, task_id)
    if record is None:
        return {"task_id": task_id, "status": "UNKNOWN"}
    return {**record.to_dict(), "outputs": outbox.relative_outputs(record.outputs, outbox_dir)}


def post(settings: NotifySettings, body: dict[str, object]) -> int:
    """One POST; raises WebhookFailed (so RQ retries) on no answer or one other than 2xx.
    Its message is ours alone: the receiver's words never reach RQ's records."""
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    request = urllib.request.Request(
        settings.webhook_url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "DocVault-Ingest",
                 SIGNATURE_HEADER: sign(settings.webhook_secret, data, int(time.time()))},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        code = int(exc.code)
        exc.close()
        raise WebhookFailed(f"the webhook receiver answered HTTP {code}") from None
    except (OSError, ValueError) as exc:  # silent, refused, unreachable; urllib wraps them
        cause = getattr(exc, "reason", exc)
        if isinstance(cause, TimeoutError):
            raise WebhookFailed(f"the webhook receiver did not answer within "
                                f"{settings.timeout_seconds:g} s (notify.timeout_seconds)") from None
        raise WebhookFailed(f"the webhook receiver could not be reached ({type(cause).__name__})") from None


def deliver(task_id: str) -> int:
    """What RQ calls on the notify queue; returns the receiver's HTTP status."""
    config = current_config()
    job = get_current_job()
    assert job is not None, "pipeline.worker.webhook.deliver is meant to be called by an RQ worker"
    try:
        code = post(config.notify, summary(job.connection, task_id, config.paths.outbox))
    except WebhookFailed as exc:
        log.warning("%s: webhook not delivered: %s", task_id, exc.message)
        raise
    log.info("%s: webhook delivered (HTTP %d)", task_id, code)
    return code
