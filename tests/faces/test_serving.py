from __future__ import annotations

import pytest

from docvault.web.serving import is_loopback, weak_secret


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("192.168.1.5", False), ("nas", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(("secret", "why"), [("change-me-to-another-long-random-hex-string", "placeholder"),
                                             ("Change-Me-Too", "placeholder"), ("hunter2", "shorter"),
                                             ("3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e", None)])
def test_weak_secrets(secret, why):
    found = weak_secret(secret)
    assert (found is None) if why is None else (why in found)
