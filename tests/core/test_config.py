from __future__ import annotations

from pathlib import Path

import pytest

from docvault.core.config import OcrMode, PdfType, current_config, load_config
from docvault.core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_repo_config_loads_with_defaults():
    config = load_config(Path(__file__).resolve().parents[2] / "config.yaml", env={})
    assert config.pipeline.languages == ("eng",)
    assert config.pipeline.ocr_mode is OcrMode.AUTO
    assert config.paths.inbox.is_absolute()


def test_env_override_wins_over_file(tmp_path):
    path = write(tmp_path, "pipeline:\n  languages: [eng]\nworker:\n  max_retries: 3\n")
    config = load_config(path, env={"TESSERACT_LANGUAGES": "deu+fra", "WORKER_MAX_RETRIES": "5",
                                    "UPLOAD_DIR": "/srv/work"})
    assert config.pipeline.languages == ("deu", "fra")
    assert config.worker.max_retries == 5
    assert config.paths.work == Path("/srv/work")


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"ingest\.setle_seconds"):
        load_config(write(tmp_path, "ingest:\n  setle_seconds: 2\n"), env={})


@pytest.mark.parametrize(
    ("text", "env", "key"),
    [
        ("pipeline:\n  ocr_mode: sometimes\n", {}, "pipeline.ocr_mode"),
        ("pipeline:\n  dpi: high\n", {}, "pipeline.dpi"),
        ("ingest:\n  polling: maybe\n", {}, "ingest.polling"),
        ("", {"WORKER_MAX_RETRIES": "three"}, "WORKER_MAX_RETRIES"),
    ],
)
def test_bad_value_is_named(tmp_path, text, env, key):
    with pytest.raises(ConfigError, match=key):
        load_config(write(tmp_path, text), env=env)


def test_moved_keys_are_read_from_their_old_place_with_a_warning(tmp_path, caplog):
    config = load_config(write(tmp_path, "pipeline:\n  pdf_type: pdf\n  outputs: [json]\n  dpi: 200\n"), env={})
    assert config.output.pdf_type is PdfType.PDF
    assert config.output.files == ("json",)
    assert config.pipeline.dpi == 200
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "pipeline.pdf_type is now output.pdf_type" in warned
    assert "pipeline.outputs is now output.files" in warned


def test_a_moved_key_set_twice_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="pipeline.pdf_type moved to output.pdf_type, and both are set"):
        load_config(write(tmp_path, "pipeline:\n  pdf_type: pdf\noutput:\n  pdf_type: pdfa-2b\n"), env={})


def test_relative_paths_follow_the_config_file(tmp_path):
    config = load_config(write(tmp_path, "paths:\n  outbox: out\n"), env={})
    assert config.paths.outbox == tmp_path / "out"


def test_current_config_parses_again_only_when_the_file_or_environment_changed(tmp_path, monkeypatch):
    """A worker's jobs share one parse; an edit, even of the same size, reaches the next."""
    path = write(tmp_path, "worker:\n  max_retries: 2\n")
    monkeypatch.setenv("DOCVAULT_CONFIG", str(path))
    monkeypatch.delenv("WORKER_MAX_RETRIES", raising=False)
    first = current_config()
    assert current_config() is first and first.worker.max_retries == 2
    path.write_text("worker:\n  max_retries: 3\n")
    edited = current_config()
    assert edited is not first and edited.worker.max_retries == 3
    monkeypatch.setenv("WORKER_MAX_RETRIES", "5")
    assert current_config().worker.max_retries == 5
    path.write_text("worker:\n  max_retries: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        current_config()
