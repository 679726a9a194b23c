"""`docvault up`: the whole appliance in the foreground, as child processes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from docvault import redis_server
from docvault.core.config import Config

log = logging.getLogger("docvault")


def run(config: Config) -> int:
    """Redis (when none answers and none is configured), the watcher, one worker per core,
    the webhook notifier (when notify.webhook_url is set); until Ctrl-C or SIGTERM, which each worker answers by finishing its document first."""
    url = config.redis.effective_url
    env = dict(os.environ, OMP_THREAD_LIMIT=os.environ.get("OMP_THREAD_LIMIT", "1"))
    if config.source is not None:
        env["DOCVAULT_CONFIG"] = str(config.source.resolve())
    redis_proc = None
    if not redis_server.answers(url):
        if config.redis.url or not config.redis.start_local:
            log.warning("Redis at %s does not answer yet; the parts will wait for it", config.redis.shown_url)
        else:
            redis_proc = redis_server.start_local(url, config.paths.work / "redis")
    env["REDIS_URL"] = url
    count = config.worker.count or os.cpu_count() or 1
    me = [sys.executable, "-m", "docvault.cli"]
    # Own sessions: Ctrl-C reaches only us, and we pass one SIGTERM on, which lets each
    # worker finish its current task (a second signal would make RQ abandon it).
    children = [subprocess.Popen([*me, "watch"], env=env, start_new_session=True)]
    children += [subprocess.Popen([*me, "worker"], env=env, start_new_session=True) for _ in range(count)]
    if config.notify.webhook_url:
        children.append(subprocess.Popen([*me, "notifier"], env=env, start_new_session=True))
    log.info("DocVault is running: drop files into %s/{high,normal,low}; results appear in %s "
             "(%d worker(s)). Ctrl-C stops.", config.paths.inbox, config.paths.outbox, count)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.wait(1):
        if any(child.poll() is not None for child in children):
            log.error("a part of DocVault exited unexpectedly; stopping the rest")
            break
    log.info("stopping: workers finish their current task first")
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        child.wait()
    if redis_proc is not None:
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed and not stopping.is_set() else 0
