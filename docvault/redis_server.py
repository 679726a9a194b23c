"""The appliance's own redis-server, for `docvault up` when none is configured or answering.

Bound to loopback, append-only file in the work folder (fsync every second), so the
queue survives a restart; no eviction, so a queued job is never dropped for memory.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

from redis import Redis
from redis.exceptions import RedisError

from docvault.core.config import RedisSettings
from docvault.core.errors import ConfigError

log = logging.getLogger(__name__)


def answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping())
    except RedisError:
        return False


def start_local(url: str, data_dir: Path, timeout: float = 15.0) -> subprocess.Popen:
    parsed = urlparse(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError(f"redis.url {RedisSettings(url).shown_url} does not answer, and DocVault starts its own Redis only on this machine")
    binary = shutil.which("redis-server")
    if binary is None:
        raise ConfigError("no Redis answers and redis-server is not installed; run `make run` to install it")
    data_dir.mkdir(parents=True, exist_ok=True)
    port = str(parsed.port or 6379)
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", port, "--dir", str(data_dir),
         "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
         "--maxmemory-policy", "noeviction", "--protected-mode", "yes",
         "--logfile", str(data_dir / "redis.log")],
        start_new_session=True,  # Ctrl-C reaches `docvault up`, which stops Redis last
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(url):
            log.info("started redis-server on 127.0.0.1:%s (data in %s)", port, data_dir)
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.terminate()
    raise ConfigError(f"redis-server did not start on port {port}; see {data_dir / 'redis.log'}")
