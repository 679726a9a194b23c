"""The `docvault` command line, run as a real process."""

from __future__ import annotations

import json

from tests.conftest import corpus, docvault


def test_process_prints_phototest_text(make_config):
    make_config()
    result = json.loads(docvault("process", str(corpus("tesseract/phototest.tif"))).stdout)
    gold = corpus("tesseract/phototest.gold.txt").read_text()
    assert result["text"].split() == gold.split()
    assert result["pages"][0]["source"] == "ocr"


def test_process_leaves_the_file_where_it_is(make_config, tmp_path):
    make_config()
    source = tmp_path / "simple.png"
    source.write_bytes(corpus("paperless-ngx/simple.png").read_bytes())
    docvault("process", str(source))
    assert source.exists()


def test_unknown_config_key_stops_with_its_name(make_config, tmp_path):
    make_config()
    (tmp_path / "config.yaml").write_text("pipeline:\n  langauges: [eng]\n")
    result = docvault("status", "x", check=False)
    assert result.returncode == 2
    assert "pipeline.langauges" in result.stderr
