"""Safe names for files and folders taken from what people drop."""

from __future__ import annotations

import pytest

from docvault.core.names import safe_name

LONG = "ÄÖÜßé" + "x" * 241 + ".tif"  # 250 characters, 255 bytes: the most ext4 allows


@pytest.mark.parametrize(("name", "expected"), [
    ("..", "document"),
    ("..\\..\\x.pdf", "_.._x.pdf"),
    ("-rf.pdf", "rf.pdf"),
    (" .hidden.pdf ", "hidden.pdf"),
    ("CON.pdf", "_CON.pdf"),
    ("a:b?.pdf", "a_b_.pdf"),
    ("caf\udce9.pdf", "caf\ufffd.pdf"),  # Latin-1 bytes from an old client
])
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_safe_name_keeps_long_names_within_the_limit():
    assert len(safe_name(LONG).encode()) <= 200 and safe_name(LONG).endswith(".tif")
