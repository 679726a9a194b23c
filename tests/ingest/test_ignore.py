"""The ignore list in config.yaml covers what NASes and desktops leave in shared folders."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from docvault.core.config import load_config
from ingest.ignore import matching_pattern
from tests.conftest import REPO

DEFAULTS = load_config(REPO / "config.yaml", env={}).ingest.ignore


@pytest.mark.parametrize("rel", [
    ".DS_Store", "._scan.pdf", "Thumbs.db", "desktop.ini", "~$report.docx", ".~lock.report.odt#",
    "x.tmp", "x.part", "x.partial", "x.filepart", "x.crdownload", ".x.swp",
    "@Recycle/a.pdf", ".@__thumb/a.jpg", "@Recently-Snapshot/a.pdf", ".streams/a.pdf",
    "@eaDir/a.pdf", "#recycle/a.pdf", ".Trashes/501/a.pdf", "__MACOSX/a.pdf", "batch/@eaDir/a.jpg",
    "THUMBS.DB", "SCAN.TMP", "@eadir/a.jpg",
])
def test_config_yaml_ignores_system_and_partial_files(rel):
    assert matching_pattern(PurePath("normal", rel), DEFAULTS) is not None


@pytest.mark.parametrize("rel", ["scan.pdf", "Invoice 2025.PDF", "batch/sub/page 1.tif", "tmp.pdf"])
def test_documents_are_not_ignored(rel):
    assert matching_pattern(PurePath("normal", rel), DEFAULTS) is None
