from __future__ import annotations

import pytest
from redis import Redis

from docvault import redis_server
from docvault.core.errors import ConfigError
from tests.conftest import _free_port


def test_starts_own_redis_on_loopback_with_append_only_file(tmp_path):
    url = f"redis://127.0.0.1:{_free_port()}/0"
    assert not redis_server.answers(url)
    proc = redis_server.start_local(url, tmp_path / "redis")
    try:
        conn = Redis.from_url(url)
        assert conn.config_get("appendonly")["appendonly"] == "yes"
        assert conn.config_get("bind")["bind"] == "127.0.0.1"
        assert conn.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        conn.set("k", "v")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert any((tmp_path / "redis").rglob("*.aof")), "no append-only file in the work folder"


def test_refuses_to_start_redis_for_a_remote_url(tmp_path):
    with pytest.raises(ConfigError, match="only on this machine"):
        redis_server.start_local("redis://nas.example:6379/0", tmp_path)
