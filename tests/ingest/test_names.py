"""Awkward names come out under distinct, safe names; the JSON keeps the original."""

from __future__ import annotations

import json
import shutil

import pytest

from ingest.names import safe_name
from tests.conftest import corpus
from tests.ingest.conftest import wait_queued

LONG = "ÄÖÜßé" + "x" * 241 + ".tif"  # 250 characters, 255 bytes: the most ext4 allows


def test_awkward_names_come_out_distinct_and_safe(make_config, daemon, conn, run_worker):
    config = make_config()
    daemon(config)
    # ("..\\x.tif" would be hidden, so ignored: the `..` here sit where they could climb)
    names = [LONG, "scans\\..\\..\\etc\\passwd.tif", "a..tif", "Scan.tif", "scan.tif", "  -rf .tif"]
    assert len(LONG) == 250
    for name in names:
        shutil.copy(corpus("tesseract/HelloGoogle.tif"), config.paths.inbox / "normal" / name)
    wait_queued(conn, len(names))

    run_worker()

    outbox = config.paths.outbox
    records = [json.loads(p.read_text()) for p in outbox.glob("*.json")]
    assert sorted(r["source"]["name"] for r in records) == sorted(names)  # originals kept
    written = [r["outputs"]["json"] for r in records] + [r["outputs"]["original"] for r in records]
    assert len({n.casefold() for n in written}) == len(written)  # distinct, even ignoring case
    for name in written:
        assert "\\" not in name and "/" not in name and not name.startswith((".", "-", " "))
        assert len(name.encode()) <= 255 and (outbox / name).is_file()
    assert not config.paths.failed.exists() or not any(config.paths.failed.iterdir())


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
