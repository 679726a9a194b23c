from __future__ import annotations

import pytest

from docvault.web.serving import is_loopback


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("192.168.1.5", False), ("nas", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback
